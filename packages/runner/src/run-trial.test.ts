import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTrial } from './run-trial';
import { makeTrialDirs, nodeScript, trialOptions, waitFor } from './test-helpers';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await makeTrialDirs());
});
afterEach(() => cleanup());

describe('runTrial: environment and process setup', () => {
  it('passes the HYPERFLEET_* environment, opts.env, CUDA_VISIBLE_DEVICES and writes the params file', async () => {
    const script = `
      const fs = require('fs');
      const keys = ['HYPERFLEET_SWEEP_ID','HYPERFLEET_TRIAL_ID','HYPERFLEET_PARAMS','HYPERFLEET_PARAMS_FILE',
        'HYPERFLEET_METRICS_FILE','HYPERFLEET_OUTPUT_DIR','HYPERFLEET_SEED','CUDA_VISIBLE_DEVICES','EXTRA','PATH'];
      const env = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
      env.paramsFile = JSON.parse(fs.readFileSync(process.env.HYPERFLEET_PARAMS_FILE, 'utf8'));
      env.outputDirExists = fs.statSync(process.env.HYPERFLEET_OUTPUT_DIR).isDirectory();
      env.cwd = process.cwd();
      fs.writeFileSync(process.env.HYPERFLEET_OUTPUT_DIR + '/env.json', JSON.stringify(env));
    `;
    const opts = trialOptions(root, {
      argv: nodeScript(script),
      env: { EXTRA: 'yes', HYPERFLEET_SEED: 'overridden-by-runner' },
      gpus: ['0', '2'],
    });
    const result = await runTrial(opts);
    expect(result).toMatchObject({ outcome: 'exited', exitCode: 0, signal: null, error: null });
    const env = JSON.parse(readFileSync(join(opts.trialDir, 'outputs', 'env.json'), 'utf8'));
    expect(env).toMatchObject({
      HYPERFLEET_SWEEP_ID: 'sweep-1',
      HYPERFLEET_TRIAL_ID: 'trial-1',
      HYPERFLEET_PARAMS_FILE: join(opts.trialDir, 'params.json'),
      HYPERFLEET_METRICS_FILE: join(opts.trialDir, 'metrics.jsonl'),
      HYPERFLEET_OUTPUT_DIR: join(opts.trialDir, 'outputs'),
      HYPERFLEET_SEED: '42',
      CUDA_VISIBLE_DEVICES: '0,2',
      EXTRA: 'yes',
      PATH: process.env.PATH,
      outputDirExists: true,
      cwd: root,
    });
    expect(JSON.parse(env.HYPERFLEET_PARAMS)).toEqual(opts.params);
    expect(env.paramsFile).toEqual(opts.params);
  });

  it('passes argv literally, never through a shell', async () => {
    const args = ['$HOME', '; echo hacked', '`id`', 'it\'s "quoted"', '*'];
    const opts = trialOptions(root, {
      argv: nodeScript(`console.log('ARGS' + JSON.stringify(process.argv.slice(1)))`, ...args),
    });
    const result = await runTrial(opts);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(result.logPath, 'utf8')).toContain(`ARGS${JSON.stringify(args)}`);
  });

  it('closes stdin: a program reading it gets EOF at once', async () => {
    const opts = trialOptions(root, {
      argv: ['python3', '-c', 'import sys; d = sys.stdin.buffer.read(); print("stdin_bytes=%d" % len(d))'],
      timeoutMs: 3_000, // an open stdin would block the read until this timeout
    });
    const result = await runTrial(opts);
    expect(result.outcome).toBe('exited');
    expect(result.finalMetrics).toEqual({ stdin_bytes: 0 });
  });

  it('reports exit codes and deaths by signal', async () => {
    const failed = await runTrial(trialOptions(root, { argv: nodeScript('process.exit(3)') }));
    expect(failed).toMatchObject({ outcome: 'exited', exitCode: 3, signal: null, error: null });
    const killed = await runTrial(trialOptions(root, { argv: nodeScript("process.kill(process.pid, 'SIGKILL')") }));
    expect(killed).toMatchObject({ outcome: 'exited', exitCode: null, signal: 'SIGKILL' });
    expect(killed.durationMs).toBeGreaterThan(0);
  });

  it('writes stdout and stderr to output.log as they arrive', async () => {
    const ack = join(root, 'ack');
    const script = `
      const fs = require('fs');
      process.stdout.write('out-live\\n'); process.stderr.write('err-live\\n');
      const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(ack)})) { clearInterval(t); } }, 20);
    `;
    const opts = trialOptions(root, { argv: nodeScript(script), timeoutMs: 4_000 });
    const running = runTrial(opts);
    const logPath = join(opts.trialDir, 'output.log');
    // The program only exits after we saw its output in the log while it ran.
    await waitFor(() => {
      const log = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
      return log.includes('out-live') && log.includes('err-live');
    }, 3_000);
    writeFileSync(ack, '');
    const result = await running;
    expect(result.outcome).toBe('exited');
  });
});

describe('runTrial: programs that cannot start', () => {
  it('ENOENT: resolves with spawn-error and the OS error text', async () => {
    const result = await runTrial(trialOptions(root, { argv: ['./nope', '--lr', '1'] }));
    expect(result.outcome).toBe('spawn-error');
    expect(result.exitCode).toBeNull();
    expect(result.error).toMatch(/spawn \.\/nope ENOENT: no such file or directory — check `program`\/`command`/);
    expect(readFileSync(result.logPath, 'utf8')).toContain('ENOENT');
  });

  it('EACCES: a file that is not executable', async () => {
    const script = join(root, 'train.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const result = await runTrial(trialOptions(root, { argv: [script] }));
    expect(result.outcome).toBe('spawn-error');
    expect(result.exitCode).toBeNull();
    expect(result.error).toMatch(/EACCES: permission denied/);
  });

  it('a working directory that does not exist', async () => {
    const result = await runTrial(trialOptions(root, { cwd: join(root, 'missing'), argv: nodeScript('') }));
    expect(result.outcome).toBe('spawn-error');
    expect(result.error).toMatch(/working directory .*missing is not usable: ENOENT/);
  });

  it('an empty argv and an invalid metrics regex', async () => {
    expect(await runTrial(trialOptions(root, { argv: [] }))).toMatchObject({
      outcome: 'spawn-error',
      error: expect.stringMatching(/argv is empty/),
    });
    const badRegex = await runTrial(trialOptions(root, { metrics: { regex: '(' } }));
    expect(badRegex).toMatchObject({ outcome: 'spawn-error', error: expect.stringMatching(/metrics\.regex/) });
  });
});
