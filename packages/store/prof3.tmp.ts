import { groupPoints, summarize } from './src/metric-batch';
import { numberArray, textArray } from './src/postgres-metric-writer';
const pts = Array.from({ length: 1000 }, (_, st) => ({ trialId: 'trial-000001', key: 'loss', step: st, value: 1 / (st + 1), timestamp: st }));
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  for (let i = 0; i < 200; i++) groupPoints(pts);
  const g = (performance.now() - t) / 200;
  const [b] = groupPoints(pts);
  t = performance.now();
  for (let i = 0; i < 200; i++) summarize(b!.steps, b!.values);
  const s = (performance.now() - t) / 200;
  t = performance.now();
  for (let i = 0; i < 200; i++) { const tr = []; const ks = []; for (let j = 0; j < 1000; j++) { tr.push(b!.trialId); ks.push(b!.key); } textArray(tr); textArray(ks); numberArray(b!.steps); numberArray(b!.values); numberArray(b!.timestamps); }
  const a = (performance.now() - t) / 200;
  console.log({ group: g.toFixed(3), summarize: s.toFixed(3), arrays: a.toFixed(3) });
}
