/**
 * Fault injection at scale (issue 16, item 1): N seeded schedules, each a real sweep — `hyperfleet server`, two
 * `hyperfleet agent`s, a private redis-server, Postgres behind a TCP proxy — under agent and controller SIGKILLs,
 * Redis restarted empty or paused, Postgres connections cut and added Redis latency; after each, the invariants
 * of test/chaos/harness/invariants.ts are checked against what the trials themselves wrote down.
 *
 *   node --import tsx bench/chaos.ts --schedules 20 --seed 1      # 20 schedules derived from seed 1
 *   node --import tsx bench/chaos.ts --replay 1234567             # one schedule again, by its seed
 *   node --import tsx bench/chaos.ts --schedules 10 --only redis-restart-empty,agent-kill
 *
 * Flags: schedules, seed, replay (a schedule seed, repeatable as a comma list), only (fault kinds), deadline
 * (seconds a sweep may take, default 120), logs (print the fleet's own output for a schedule with violations),
 * json (write every result to this file).
 */
import { writeFileSync } from 'node:fs';
import { type ChaosResult, runChaosSchedule } from '../test/chaos/harness/chaos-run';
import {
  type ChaosSchedule,
  describeSchedule,
  FAULT_KINDS,
  type FaultKind,
  scheduleFromSeed,
  scheduleSeeds,
} from '../test/chaos/harness/fault-schedule';
import { INVARIANTS } from '../test/chaos/harness/invariants';
import { flag } from './fleet-env';

const only = flag('only', '') ? (flag('only', '').split(',') as FaultKind[]) : FAULT_KINDS;
for (const kind of only) if (!FAULT_KINDS.includes(kind)) throw new Error(`unknown fault kind ${kind}`);
const replay = flag('replay', '');
const seeds = replay
  ? replay.split(',').map(Number)
  : scheduleSeeds(Number(flag('seed', '1')), Number(flag('schedules', '20')));
const deadlineMs = Number(flag('deadline', '120')) * 1000;
const showLogs = flag('logs', 'false') === 'true';
const jsonOut = flag('json', '');

const results: ChaosResult[] = [];
const harnessErrors: string[] = [];
for (const [i, seed] of seeds.entries()) {
  const schedule: ChaosSchedule = scheduleFromSeed(seed, only);
  let result: ChaosResult;
  try {
    result = await runChaosSchedule(schedule, { deadlineMs });
  } catch (err) {
    // The run could not be set up or read back (e.g. the submit itself failed): counted, not an invariant.
    harnessErrors.push(`seed ${seed}: ${(err as Error).message}`);
    console.log(`[${i + 1}/${seeds.length}] seed ${seed}: HARNESS ERROR ${(err as Error).message}`);
    continue;
  }
  results.push(result);
  const faults = result.injected.join(',') || 'none (the sweep ended first)';
  const statuses = Object.entries(result.trialStatuses)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const verdict = result.violations.length === 0 ? 'ok' : `${result.violations.length} VIOLATIONS`;
  console.log(
    `[${i + 1}/${seeds.length}] seed ${seed} ${(result.ms / 1000).toFixed(0)}s sweep ${result.sweepStatus} (${statuses}) faults ${faults}: ${verdict}`,
  );
  // Said at once as well as in the summary: a long run's first violations are worth reading while it goes on.
  for (const v of result.violations) console.log(`  ✗ ${v.invariant}${v.trialId ? ` ${v.trialId}` : ''}: ${v.detail}`);
}

console.log('\nfaults injected (schedules with violations / all schedules where that fault was injected):');
for (const kind of FAULT_KINDS) {
  const withKind = results.filter((r) => r.injected.includes(kind));
  const injected = results.reduce((n, r) => n + r.injected.filter((k) => k === kind).length, 0);
  const bad = withKind.filter((r) => r.violations.length > 0).length;
  console.log(`  ${kind.padEnd(20)} ${String(injected).padStart(4)} injected  ${bad}/${withKind.length} schedules`);
}
const faultless = results.filter((r) => r.injected.length === 0);
const faultlessBad = faultless.filter((r) => r.violations.length > 0).length;
console.log(`  ${'(none injected)'.padEnd(20)}              ${faultlessBad}/${faultless.length} schedules`);
console.log('\nviolations per invariant (count, schedules):');
for (const inv of INVARIANTS) {
  const hits = results.flatMap((r) => r.violations.filter((v) => v.invariant === inv));
  const schedules = results.filter((r) => r.violations.some((v) => v.invariant === inv)).length;
  console.log(`  ${inv.padEnd(20)} ${String(hits.length).padStart(4)}  in ${schedules} schedules`);
}
if (harnessErrors.length)
  console.log(`\n${harnessErrors.length} schedules did not run:\n  ${harnessErrors.join('\n  ')}`);
const failed = results.filter((r) => r.violations.length > 0);
console.log(`\n${failed.length} of ${results.length} schedules violated an invariant`);
for (const r of failed) {
  console.log(`\n${describeSchedule(r.schedule)}`);
  for (const v of r.violations) console.log(`  ✗ ${v.invariant}${v.trialId ? ` ${v.trialId}` : ''}: ${v.detail}`);
  console.log(`  harness: ${r.log.join(' | ')}`);
  console.log(`  replay: node --import tsx bench/chaos.ts --replay ${r.schedule.seed}${onlyFlag()}`);
  if (showLogs) console.log(r.fleetLogs.join('\n'));
}
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
process.exitCode = failed.length > 0 || harnessErrors.length > 0 ? 1 : 0;

function onlyFlag(): string {
  return only === FAULT_KINDS ? '' : ` --only ${only.join(',')}`;
}
