/**
 * A separate agent process for the lost-detection test: takes one job from a pool, says so on stdout,
 * and never finishes it — the test then kills it with SIGKILL.
 *   node --import tsx doomed-agent.ts <redis-url> <prefix> <pool> <lockDurationMs>
 */
import { createRedisTransport } from '../redis/create-redis-transport';

const [url, prefix, pool, lockMs] = process.argv.slice(2);
const transport = createRedisTransport({
  url: url!,
  prefix: prefix!,
  lockDurationMs: Number(lockMs),
  stalledIntervalMs: Number(lockMs) / 2,
});
transport.consumer.consume({ pool: pool!, concurrency: 1, agentId: `doomed-${process.pid}` }, (job) => {
  process.stdout.write(`started ${job.trialId}.a${job.attempt}\n`);
  return new Promise<void>(() => {});
});
process.stdout.write('ready\n');
