import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasExited } from './process-group';
import { runTrial } from './run-trial';
import { isRunning, makeTrialDirs, nodeScript, trialOptions, waitFor } from './test-helpers';

let root: string;
let cleanup: () => Promise<void>;
const leaked: number[] = [];
beforeEach(async () => {
  ({ root, cleanup } = await makeTrialDirs());
});
afterEach(async () => {
  // Never leave a stray process behind if an assertion failed: kill each pid and its process group.
  for (const pid of leaked.splice(0)) {
    for (const target of [pid, -pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {}
    }
  }
  await cleanup();
});

/**
 * A trial whose leader ignores SIGTERM and whose grandchild (sh → sleep) ignores it too. Writes the
 * pids to outputs/pids once everything is running.
 */
const stubbornTrial = `
  const { spawn } = require('child_process');
  const fs = require('fs');
  process.on('SIGTERM', () => console.log('got SIGTERM, ignoring it'));
  const child = spawn('sh', ['-c', 'trap "" TERM; sleep 60; :'], { stdio: 'ignore' });
  setTimeout(() => fs.writeFileSync(process.env.HYPERFLEET_OUTPUT_DIR + '/pids', JSON.stringify([process.pid, child.pid])), 100);
  setInterval(() => {}, 1000);
`;

async function readPids(trialDir: string): Promise<number[]> {
  const file = join(trialDir, 'outputs', 'pids');
  const pids = await waitFor(() => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as number[]));
  // The trial's pid is its process group id; the sh grandchild's sleep is in that group too.
  leaked.push(...pids);
  return pids;
}

describe('runTrial: stopping', () => {
  it('abort → SIGTERM to the group, SIGKILL after the grace period; grandchildren die too', async () => {
    const controller = new AbortController();
    const opts = trialOptions(root, { argv: nodeScript(stubbornTrial), killGraceMs: 400, signal: controller.signal });
    const running = runTrial(opts);
    const pids = await readPids(opts.trialDir);
    expect(pids.every(isRunning)).toBe(true);
    const stoppedAt = performance.now();
    controller.abort();
    const result = await running;
    expect(performance.now() - stoppedAt).toBeGreaterThanOrEqual(400);
    expect(result).toMatchObject({ outcome: 'stopped', exitCode: null, signal: 'SIGKILL', error: null });
    expect(pids.filter(isRunning)).toEqual([]);
    const log = readFileSync(result.logPath, 'utf8');
    expect(log).toContain('got SIGTERM, ignoring it');
    expect(log).toContain('stop requested');
  });

  it('a program that honours SIGTERM stops without waiting for the grace period', async () => {
    const controller = new AbortController();
    const script = `console.log('ready=1'); setInterval(() => {}, 1000);`;
    const opts = trialOptions(root, {
      argv: nodeScript(script),
      killGraceMs: 20_000,
      metrics: { sources: ['stdout'] }, // live from the first line (the default holds stdout until a key repeats)
      signal: controller.signal,
      onMetrics: () => controller.abort(),
    });
    const started = performance.now();
    const result = await runTrial(opts);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ outcome: 'stopped', signal: 'SIGTERM', finalMetrics: { ready: 1 } });
  });

  it('a program that handles SIGTERM by finishing cleanly was still stopped by us', async () => {
    const controller = new AbortController();
    const script = `process.on('SIGTERM', () => process.exit(0)); console.log('ready=1'); setInterval(() => {}, 1000);`;
    const opts = trialOptions(root, {
      argv: nodeScript(script),
      metrics: { sources: ['stdout'] },
      signal: controller.signal,
      onMetrics: () => controller.abort(),
    });
    expect(await runTrial(opts)).toMatchObject({ outcome: 'stopped', exitCode: 0, signal: null });
  });

  it('hasExited (which lets a program that exited before the stop reached it keep its result): gone vs running', async () => {
    const child = spawn(process.execPath, ['-e', 'process.exit(0)']);
    const pid = child.pid as number;
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
    await new Promise((resolve) => child.once('exit', resolve));
    expect(hasExited(pid)).toBe(process.platform === 'linux');
    expect(hasExited(live.pid as number)).toBe(false);
    live.kill('SIGKILL');
  });

  it('timeout stops the trial the same way and says so', async () => {
    const opts = trialOptions(root, { argv: nodeScript(stubbornTrial), timeoutMs: 500, killGraceMs: 200 });
    const running = runTrial(opts);
    const pids = await readPids(opts.trialDir);
    const result = await running;
    expect(result).toMatchObject({ outcome: 'timeout', signal: 'SIGKILL', error: 'timed out after 500 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(700);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('cleans up processes a trial left behind when it exited on its own', async () => {
    const script = `
      const { spawn } = require('child_process');
      const c = spawn('sleep', ['60'], { stdio: 'ignore' });
      c.unref();
      require('fs').writeFileSync(process.env.HYPERFLEET_OUTPUT_DIR + '/pids', JSON.stringify([c.pid]));
    `;
    const opts = trialOptions(root, { argv: nodeScript(script) });
    const result = await runTrial(opts);
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0 });
    const pids = await readPids(opts.trialDir);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('an already-aborted signal starts nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const marker = join(root, 'ran');
    const opts = trialOptions(root, {
      argv: nodeScript(`require('fs').writeFileSync(${JSON.stringify(marker)}, '')`),
      signal: controller.signal,
    });
    const result = await runTrial(opts);
    expect(result).toMatchObject({ outcome: 'stopped', exitCode: null, signal: null });
    expect(existsSync(marker)).toBe(false);
  });
});
