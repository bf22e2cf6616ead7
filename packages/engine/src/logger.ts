export type LogFields = Record<string, unknown>;

/** The little the controller needs from a logger; one JSON object per line by default. Never pass secrets. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function jsonLogger(stream: NodeJS.WritableStream = process.stderr, now: () => number = Date.now): Logger {
  const write = (level: string, msg: string, fields?: LogFields) =>
    stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...fields })}\n`);
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** An error's message for a log line (stack traces stay out of the structured fields). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
