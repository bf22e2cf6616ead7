import { closeAll, once } from '../close-all';
import type { Transport } from '../ports';
import { InProcessControlChannel, type InProcessControlOptions } from './in-process-control';
import { InProcessLogStream, type InProcessLogsOptions } from './in-process-logs';
import { InProcessQueueBroker, type InProcessQueueOptions, type InProcessTrialConsumer } from './in-process-queue';
import { InProcessReportStream, type InProcessReportsOptions } from './in-process-reports';

export interface InProcessTransportOptions {
  queue?: InProcessQueueOptions;
  reports?: InProcessReportsOptions;
  control?: InProcessControlOptions;
  logs?: InProcessLogsOptions;
}

/** The in-process transport's consumer has the `kill()` test hook on its handles. */
export interface InProcessTransport extends Transport {
  consumer: InProcessTrialConsumer;
}

/**
 * Everything in one process (embedded `hyperfleet run`, unit tests of the controller and agent), with
 * the semantics of the Redis transport: the controller side and agent side share this one object.
 */
export function createInProcessTransport(opts: InProcessTransportOptions = {}): InProcessTransport {
  const broker = new InProcessQueueBroker(opts.queue);
  const reports = new InProcessReportStream(opts.reports);
  const control = new InProcessControlChannel(opts.control);
  const logs = new InProcessLogStream(opts.logs);
  const timeout = (opts.queue?.closeTimeoutMs ?? 10_000) + 1000;
  return {
    queue: broker.queue,
    consumer: broker.consumer,
    reports,
    control,
    logs,
    close: once(() =>
      closeAll(
        'in-process transport',
        [() => broker.close(), () => reports.close(), () => control.close(), () => logs.close()],
        timeout,
      ),
    ),
  };
}
