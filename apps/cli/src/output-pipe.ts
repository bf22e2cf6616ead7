/**
 * When the reader of stdout goes away (`hyperfleet … | head`). Node ignores SIGPIPE, so the next write fails with
 * EPIPE, and an unhandled one crashes with a stack trace. By default the CLI then exits quietly with 0 (the reader
 * had what it wanted, and `set -o pipefail` scripts keep working); a command with work to finish first (`run`:
 * cancel and record its trials) takes over with `whenOutputCloses`. Later writes to the closed pipe are dropped.
 */
let closed = false;
let takeOver: (() => void) | null = null;
let watching = false;

/** Installs the EPIPE handling on stdout once per process (main() may run more than once in tests). */
export function watchOutputPipe(stream: NodeJS.WriteStream = process.stdout): void {
  if (watching) return;
  watching = true;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    // Anything else is a real fault: crash loudly as an unhandled error would.
    if (err.code !== 'EPIPE') throw err;
    if (closed) return;
    closed = true;
    if (takeOver) takeOver();
    else process.exit(0);
  });
}

/** Runs `handler` instead of exiting when stdout closes (at once if it already has); returns the undo. */
export function whenOutputCloses(handler: () => void): () => void {
  takeOver = handler;
  if (closed) handler();
  return () => {
    if (takeOver === handler) takeOver = null;
  };
}
