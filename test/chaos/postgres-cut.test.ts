import { openStore } from '@hyperfleet/store';
import { afterEach, expect, it } from 'vitest';
import { freshSchema } from '../helpers/postgres';
import { TcpProxy } from './harness/tcp-proxy';

// Found by the chaos harness (pg-cut, seed 640819993): a Postgres connection cut while a query was in flight
// crashed `hyperfleet server` with an unhandled 'error' event from a checked-out pg client.
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

it('a store whose connections are cut mid-query fails that query and carries on, without crashing', async () => {
  const schema = await freshSchema('hf_cut');
  cleanup.push(schema.drop);
  const target = new URL(schema.url);
  const proxy = new TcpProxy('postgres', { host: target.hostname, port: Number(target.port || 5432) });
  await proxy.start();
  cleanup.push(() => proxy.close());
  target.hostname = '127.0.0.1';
  target.port = String(proxy.port);
  const store = await openStore(target.toString());
  cleanup.push(() => store.close());

  proxy.setDelay(500); // the next query is still in flight when the cut comes
  const inFlight = store.listSweeps();
  await new Promise((r) => setTimeout(r, 150));
  proxy.cut();
  proxy.setDelay(0);
  await expect(inFlight).rejects.toThrow();
  expect(await store.listSweeps()).toEqual([]); // a fresh connection from the pool
});
