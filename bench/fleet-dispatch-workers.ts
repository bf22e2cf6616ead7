/**
 * The worker side of `fleet-dispatch.ts --split`, in its own process (as agents run on other machines):
 *   agents <json>   N hyperfleet agents with a no-op executor against a running controller
 *   raw <json>      N raw BullMQ Workers with no-op handlers; prints `done` each time the completions reach
 *                   the next of `marks` (cumulative counts: the warm-up, then each timed round)
 * Prints `ready` once started; SIGTERM, or the end of stdin (the bench exited), closes everything and exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisTransport } from '@hyperfleet/transport';
import { createAgent } from '@hyperfleet/worker';
import { Worker } from 'bullmq';
import { exitedOk } from './fleet-env';

interface Settings {
  agents: number;
  slots: number;
  url?: string;
  token?: string;
  redisUrl?: string;
  prefix?: string;
  queue?: string;
  marks?: number[];
}

const [mode, json] = process.argv.slice(2);
const s = JSON.parse(json ?? '{}') as Settings;
const closers: Array<() => Promise<unknown>> = [];

if (mode === 'agents') {
  const workDir = mkdtempSync(join(tmpdir(), 'hf-bench-agents-'));
  const quiet = () => {};
  for (let i = 0; i < s.agents; i++) {
    const agent = createAgent({
      serverUrl: s.url ?? '',
      token: s.token ?? '',
      agentId: `bench-agent-${i}`,
      transportFactory: (reg) => createRedisTransport({ url: reg.redisUrl, prefix: reg.queuePrefix, onError: quiet }),
      slots: s.slots,
      workDir,
      logger: quiet,
      runTrial: async (o) => exitedOk({ loss: Number(o.params.x ?? 0) }),
    });
    await agent.start();
    closers.push(() => agent.close());
  }
  closers.push(async () => rmSync(workDir, { recursive: true, force: true }));
} else if (mode === 'raw') {
  let done = 0;
  const marks = new Set(s.marks ?? []);
  for (let i = 0; i < s.agents; i++) {
    const worker = new Worker(
      s.queue ?? 'raw',
      async () => {
        done++;
        if (marks.has(done)) process.stdout.write('done\n');
      },
      { connection: { url: s.redisUrl ?? '' }, prefix: s.prefix ?? '', concurrency: s.slots, autorun: false },
    );
    void worker.run();
    await worker.waitUntilReady();
    closers.push(() => worker.close());
  }
} else {
  throw new Error(`unknown mode ${mode}: expected agents or raw`);
}

process.stdout.write('ready\n');
let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  void Promise.allSettled(closers.map((c) => c())).then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
// Stdin is a pipe from the bench: it ends when the bench exits, even by a crash, so no orphan keeps working.
process.stdin.on('end', shutdown).resume();
