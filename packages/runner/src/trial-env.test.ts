import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inheritedEnv, isInheritedEnvName } from './inherited-env';
import { runTrial } from './run-trial';
import { makeTrialDirs, nodeScript, trialOptions } from './test-helpers';

// What an agent's process typically holds besides what a trial needs.
const AGENT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: '/home/agent',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  LC_NUMERIC: 'de_DE.UTF-8',
  TZ: 'UTC',
  VIRTUAL_ENV: '/opt/venv',
  LD_LIBRARY_PATH: '/usr/local/cuda/lib64',
  CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
  HYPERFLEET_TOKEN: 'worker-token',
  HYPERFLEET_REDIS_URL: 'redis://:pw@redis:6379',
  HYPERFLEET_STORE: 'postgres://u:pw@db/h',
  HYPERFLEET_SEED: '999',
  DATABASE_URL: 'postgres://u:pw@db/app',
  AWS_ACCESS_KEY_ID: 'AKIA',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  GITHUB_TOKEN: 'ghp',
  NODE_OPTIONS: '--require /tmp/x.js',
  LOCALE_LIKE: 'x',
};

describe('the inherited allowlist', () => {
  it('keeps what locates programs, locale, time, GPUs and Python environments; nothing that authenticates', () => {
    expect(inheritedEnv(AGENT_ENV)).toEqual({
      PATH: process.env.PATH,
      HOME: '/home/agent',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      LC_NUMERIC: 'de_DE.UTF-8',
      TZ: 'UTC',
      VIRTUAL_ENV: '/opt/venv',
      LD_LIBRARY_PATH: '/usr/local/cuda/lib64',
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
    });
    for (const name of ['HYPERFLEET_TOKEN', 'DATABASE_URL', 'AWS_SECRET_ACCESS_KEY', 'LOCALE_LIKE', 'LC', 'path']) {
      expect(isInheritedEnvName(name)).toBe(false);
    }
  });
});

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ root, cleanup } = await makeTrialDirs());
});
afterEach(() => cleanup());

describe('runTrial: the trial environment', () => {
  it('is the allowlist, then the sweep’s env, then the HYPERFLEET_* contract, then the slot’s GPUs', async () => {
    const dump = `require('fs').writeFileSync(process.env.HYPERFLEET_OUTPUT_DIR + '/env.json', JSON.stringify(process.env))`;
    const opts = trialOptions(root, {
      argv: nodeScript(dump),
      inheritFrom: AGENT_ENV,
      env: { WANDB_MODE: 'offline', TZ: 'Europe/Berlin', HF_TOKEN: 'resolved-secret' },
      gpus: ['1'],
    });
    const result = await runTrial(opts);
    expect(result.outcome).toBe('exited');
    const env = JSON.parse(readFileSync(join(opts.trialDir, 'outputs', 'env.json'), 'utf8')) as Record<string, string>;
    // Node adds nothing of its own to a child's environment, so this is the whole set.
    expect(Object.keys(env).sort()).toEqual(
      [
        'PATH',
        'HOME',
        'LANG',
        'LC_ALL',
        'LC_NUMERIC',
        'TZ',
        'VIRTUAL_ENV',
        'LD_LIBRARY_PATH',
        'CUDA_DEVICE_ORDER',
        'WANDB_MODE',
        'HF_TOKEN',
        'HYPERFLEET_SWEEP_ID',
        'HYPERFLEET_TRIAL_ID',
        'HYPERFLEET_PARAMS',
        'HYPERFLEET_PARAMS_FILE',
        'HYPERFLEET_METRICS_FILE',
        'HYPERFLEET_OUTPUT_DIR',
        'HYPERFLEET_SEED',
        'CUDA_VISIBLE_DEVICES',
      ].sort(),
    );
    expect(env).toMatchObject({ TZ: 'Europe/Berlin', HYPERFLEET_SEED: '42', CUDA_VISIBLE_DEVICES: '1' });
    const text = JSON.stringify(env);
    for (const leaked of ['worker-token', 'redis://', 'postgres://', 'aws-secret', 'AKIA', 'ghp', '/tmp/x.js']) {
      expect(text).not.toContain(leaked);
    }
  });
});
