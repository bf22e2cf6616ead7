import type { Closeable, ControlChannel, LogStream, ReportStream, TrialConsumer } from '@hyperfleet/transport';

/** The parts of a Transport an agent uses. */
export interface AgentTransport extends Closeable {
  consumer: TrialConsumer;
  reports: ReportStream;
  control: ControlChannel;
  logs: LogStream;
}
