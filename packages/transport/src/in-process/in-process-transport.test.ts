import { jobIdOf } from '../ports';
import { deferred } from '../testing/trial-job';
import { describeTransportContract } from '../transport.contract';
import { createInProcessTransport } from './create-in-process-transport';

describeTransportContract('in-process', async () => {
  const t = createInProcessTransport({
    queue: { closeTimeoutMs: 500 },
    reports: { retryDelayMs: 50 },
    logs: { maxChunksPerTrial: 50 },
  });
  return {
    open: () => t,
    startDoomedAgent: async (pool) => {
      const started = deferred<string>();
      const handle = t.consumer.consume({ pool, concurrency: 1, agentId: 'doomed' }, (job) => {
        started.resolve(jobIdOf(job.trialId, job.attempt));
        return new Promise(() => {});
      });
      return { started: started.promise, kill: async () => handle.kill() };
    },
    lostWithinMs: 1000,
    logSlack: 0,
    maxChunksPerTrial: 50,
    cleanup: () => t.close(),
  };
});
