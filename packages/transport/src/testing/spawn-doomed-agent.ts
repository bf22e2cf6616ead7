import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deferred } from './trial-job';

const script = fileURLToPath(new URL('./doomed-agent.ts', import.meta.url));

export interface DoomedAgent {
  /** Resolves with the job id it took. */
  started: Promise<string>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/** Starts `doomed-agent.ts` in a child process (a real agent to kill); resolves once it consumes. */
export async function spawnDoomedAgent(
  url: string,
  prefix: string,
  pool: string,
  lockMs: number,
): Promise<DoomedAgent> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, prefix, pool, String(lockMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = deferred<string>();
  started.promise.catch(() => {});
  const ready = deferred();
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.includes('ready\n')) ready.resolve();
    const m = /started (\S+)\n/.exec(out);
    if (m) started.resolve(m[1]!);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      const err = new Error(`doomed agent exited (${code ?? signal})`);
      started.reject(err);
      ready.reject(err);
      resolve();
    }),
  );
  await ready.promise;
  return {
    started: started.promise,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
