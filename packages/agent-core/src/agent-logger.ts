export type AgentLogLevel = 'info' | 'warn' | 'error';
export type AgentLogger = (level: AgentLogLevel, message: string) => void;

/** One timestamped line per message on stderr. */
export const stderrAgentLogger: AgentLogger = (level, message) => {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
};

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
