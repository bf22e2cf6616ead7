import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const MODULE = join(import.meta.dirname, 'output-pipe.ts');

/** A process that prints forever, its reader closing the pipe after the first chunk (as `| head -1` does). */
async function printIntoClosedPipe(watch: boolean): Promise<{ code: number | null; stderr: string }> {
  const script = [
    `import { watchOutputPipe } from ${JSON.stringify(MODULE)};`,
    watch ? 'watchOutputPipe();' : '',
    "setInterval(() => process.stdout.write('x'.repeat(1000) + '\\n'), 1);",
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.once('data', () => child.stdout.destroy());
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  clearTimeout(timer);
  return { code, stderr };
}

it('a closed stdout ends the process quietly with 0', async () => {
  expect(await printIntoClosedPipe(true)).toEqual({ code: 0, stderr: '' });
});

it('without it, the same process dies on EPIPE with a stack trace (what users saw)', async () => {
  const { code, stderr } = await printIntoClosedPipe(false);
  expect(code).not.toBe(0);
  expect(stderr).toMatch(/EPIPE/);
});
