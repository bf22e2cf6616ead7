import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pinCode } from '@hyperfleet/lineage';
import { createGitFixture, type GitFixture } from '@hyperfleet/lineage/testing';
import { type AgentReport, createInProcessTransport } from '@hyperfleet/transport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test-helpers';
import { execTrialInPod } from './exec-trial';
import { REPORT_KEY_ENV, TRIAL_JOB_ENV } from './job-manifest';
import { decodeTerminationMessage } from './termination-message';

// The pod entry in-process: the real runner and a real child process; reports on an in-process stream
// (the Redis path is covered by kubernetes-agent.test.ts).
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hyperfleet-exec-trial-'));
});
afterEach(async () => {
  delete process.env.HYPERFLEET_TOKEN;
  delete process.env[REPORT_KEY_ENV];
  delete process.env[TRIAL_JOB_ENV];
  await rm(dir, { recursive: true, force: true });
});

function sink() {
  const out = { text: '' };
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.text += chunk.toString('utf8');
      cb();
    },
  });
  return { out, stream };
}

const job = (argv: string[], extra: Record<string, unknown> = {}) => ({
  sweepId: 'sw',
  trialId: 't1',
  attempt: 2,
  pool: 'default',
  argv,
  params: { lr: 0.1 },
  seed: 3,
  cwd: tmpdir(),
  killGraceMs: 200,
  ...extra,
});

describe('hyperfleet agent exec-trial', () => {
  it('runs the trial, echoes its output, publishes its points and writes its result; the exit code is the trial’s', async () => {
    const transport = createInProcessTransport();
    const reports: AgentReport[] = [];
    transport.reports.subscribe('sw', 'test', async (batch) => {
      reports.push(...batch);
    });
    const { out, stream } = sink();
    const terminationLog = join(dir, 'termination-log');
    const script = [
      'console.log("loss=0.5");',
      'console.log("params", process.env.HYPERFLEET_PARAMS);',
      'console.log("token", process.env.HYPERFLEET_TOKEN ?? "none");',
      'console.log("report key", process.env.HYPERFLEET_REPORT_KEY ?? "none");',
      'process.exit(3)',
    ].join(' ');
    // As in a pod: the job and the token in this process's own environment.
    process.env[TRIAL_JOB_ENV] = JSON.stringify(job([process.execPath, '-e', script]));
    process.env.HYPERFLEET_TOKEN = 'worker-secret';
    process.env[REPORT_KEY_ENV] = 'cd'.repeat(32);
    const code = await execTrialInPod({
      env: process.env,
      workDir: dir,
      terminationLog,
      stdout: stream,
      signals: new EventEmitter(),
      reports: transport.reports,
    });
    expect(code).toBe(3);
    expect(out.text).toContain('loss=0.5');
    expect(out.text).toContain('"lr":0.1');
    expect(out.text).toContain('token none');
    expect(out.text).toContain('report key none');
    expect(process.env.HYPERFLEET_TOKEN).toBeUndefined();
    expect(process.env[REPORT_KEY_ENV]).toBeUndefined();
    const message = decodeTerminationMessage(await readFile(terminationLog, 'utf8'));
    expect(message).toMatchObject({ outcome: 'exited', exitCode: 3, finalMetrics: { loss: 0.5 } });
    await new Promise((r) => setTimeout(r, 50));
    expect(reports.map((r) => r.type)).toEqual(['metrics']);
    expect(reports[0]).toMatchObject({ trialId: 't1', attempt: 2, points: [{ key: 'loss', value: 0.5, step: 0 }] });
    await transport.close();
  });

  it('SIGTERM (the Job deleted, the pod preempted) stops the trial: outcome stopped, exit 143', async () => {
    const signals = new EventEmitter();
    const terminationLog = join(dir, 'termination-log');
    const running = execTrialInPod({
      env: { [TRIAL_JOB_ENV]: JSON.stringify(job([process.execPath, '-e', 'setInterval(() => {}, 1000)'])) },
      workDir: dir,
      terminationLog,
      stdout: sink().stream,
      signals,
      reports: createInProcessTransport().reports,
    });
    await new Promise((r) => setTimeout(r, 300));
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(143);
    expect(decodeTerminationMessage(await readFile(terminationLog, 'utf8'))?.outcome).toBe('stopped');
  });

  it('says what is wrong when the job is missing, invalid, or its directory is not in the image', async () => {
    const run = async (env: NodeJS.ProcessEnv) => {
      const { out, stream } = sink();
      const terminationLog = join(dir, 'termination-log');
      const code = await execTrialInPod({
        env,
        workDir: dir,
        terminationLog,
        stdout: stream,
        signals: new EventEmitter(),
        reports: createInProcessTransport().reports,
      });
      return { code, out: out.text, message: decodeTerminationMessage(await readFile(terminationLog, 'utf8')) };
    };
    const missing = await run({});
    expect(missing.code).toBe(127);
    expect(missing.message?.error).toMatch(/HYPERFLEET_TRIAL_JOB is missing .* pods the Kubernetes executor creates/);
    const invalid = await run({ [TRIAL_JOB_ENV]: JSON.stringify({ ...job([]), argv: [] }) });
    expect(invalid.message?.error).toMatch(/invalid trial job: argv: argv is empty/);
    const noCode = await run({
      [TRIAL_JOB_ENV]: JSON.stringify(job(['python3', 'train.py'], { cwd: '/home/alice/proj' })),
    });
    expect(noCode.message).toMatchObject({ outcome: 'spawn-error' });
    expect(noCode.out).toMatch(/\/home\/alice\/proj is not in image .* no code was pinned/);
  });

  it('materializes the pinned code (commit + diff fetched from the controller with the token) and runs there, and reports the pod’s environment', async () => {
    let fx: GitFixture | undefined;
    const server = createServer();
    try {
      fx = createGitFixture({ 'train.mjs': 'console.log("version=1")\n' });
      fx.addRemote();
      fx.git('push', '-q', 'origin', 'HEAD:main');
      // Uncommitted on the submitter's machine: travels as a diff blob.
      fx.write('train.mjs', 'console.log("version=2")\n');
      const { pin, diffBytes } = await pinCode(fx.root);
      const blobs = new Map([[pin.diff?.hash ?? '', diffBytes as Buffer]]);
      const asked: string[] = [];
      server.on('request', (req, res) => {
        asked.push(`${req.method} ${req.url} ${req.headers.authorization}`);
        const bytes = blobs.get(decodeURIComponent((req.url ?? '').replace('/api/blobs/', '')));
        if (req.headers.authorization !== 'Bearer worker-token' || !bytes) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const { out, stream } = sink();
      const terminationLog = join(dir, 'termination-log');
      const transport = createInProcessTransport();
      const reports: AgentReport[] = [];
      transport.reports.subscribe('sw', 'test', async (batch) => {
        reports.push(...batch);
      });
      const code = await execTrialInPod({
        env: {
          [TRIAL_JOB_ENV]: JSON.stringify(
            job([process.execPath, 'train.mjs'], {
              cwd: '/home/alice/proj',
              pins: { code: pin, data: [], bundle: null, dataRemote: null },
            }),
          ),
          HYPERFLEET_SERVER: `http://127.0.0.1:${port}`,
          HYPERFLEET_TOKEN: 'worker-token',
          HYPERFLEET_AGENT_ID: 'k8s-agent-1',
          HYPERFLEET_IMAGE: 'ghcr.io/acme/train:1.4',
        },
        workDir: dir,
        terminationLog,
        stdout: stream,
        signals: new EventEmitter(),
        reports: transport.reports,
      });
      expect(code).toBe(0);
      // The container's own environment, for the trial's lineage (the agent's `started` cannot know it).
      const started = await waitFor(() => reports.find((r) => r.type === 'started') ?? null);
      expect(started).toMatchObject({ trialId: 't1', attempt: 2, agentId: 'k8s-agent-1' });
      expect(started.type === 'started' && started.env).toMatchObject({
        node: process.version,
        image: 'ghcr.io/acme/train:1.4',
      });
      await transport.close();
      expect(out.text).toContain('version=2');
      expect(asked).toEqual([`GET /api/blobs/${encodeURIComponent(pin.diff?.hash ?? '')} Bearer worker-token`]);
      expect(decodeTerminationMessage(await readFile(terminationLog, 'utf8'))).toMatchObject({
        outcome: 'exited',
        finalMetrics: { version: 2 },
      });
    } finally {
      fx?.cleanup();
      server.close();
    }
  });
});
