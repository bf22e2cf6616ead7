import { chmod, copyFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { createInProcessTransport, type InProcessTransport } from '@hyperfleet/transport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from './agent';
import { AGENT_ERROR_CODES, type AgentError } from './agent-error';
import {
  agentOptions,
  collectReports,
  type FakeController,
  finishedOf,
  type LogLine,
  makeWorkDir,
  nodeJob,
  startFakeController,
  waitFor,
} from './test-helpers';

/**
 * A stand-in `nvidia-smi` on PATH (there is no GPU here): it checks it got exactly the agent's query and
 * prints gpus.csv from its directory — a captured 2× H100 output — or fails like a broken driver.
 */
const FAKE_NVIDIA_SMI = `#!/bin/sh
if [ "$1" != "--query-gpu=index,name,memory.total,memory.used,utilization.gpu" ] || [ "$2" != "--format=csv,noheader,nounits" ]; then
  echo "fake nvidia-smi: unexpected arguments: $*" >&2; exit 2
fi
if [ -f "$(dirname "$0")/broken" ]; then
  echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running." >&2
  exit 9
fi
cat "$(dirname "$0")/gpus.csv"
`;

let ctl: FakeController;
let transport: InProcessTransport;
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let bin: Awaited<ReturnType<typeof makeWorkDir>>;
let logs: LogLine[];
const originalPath = process.env.PATH;
const cleanups: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  ctl = await startFakeController();
  transport = createInProcessTransport({ reports: { retryDelayMs: 50 } });
  work = await makeWorkDir();
  bin = await makeWorkDir();
  logs = [];
  await writeFile(join(bin.dir, 'nvidia-smi'), FAKE_NVIDIA_SMI);
  await chmod(join(bin.dir, 'nvidia-smi'), 0o755);
  await copyFile(join(import.meta.dirname, 'fixtures', 'nvidia-smi-2xh100.csv'), join(bin.dir, 'gpus.csv'));
  process.env.PATH = `${bin.dir}${delimiter}${originalPath}`;
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  process.env.PATH = originalPath;
  await transport.close();
  await ctl.close();
  await work.cleanup();
  await bin.cleanup();
});

function newAgent(overrides: Parameters<typeof agentOptions>[4] = {}) {
  const agent = createAgent(agentOptions(ctl, transport, work.dir, logs, overrides));
  cleanups.push(() => agent.close());
  return agent;
}

// Prints its GPU as a metric (cvd=N) and the CUDA order to its log, then runs long enough to be sampled.
const SHOW_GPU =
  "console.log('cvd=' + process.env.CUDA_VISIBLE_DEVICES); console.log('order ' + process.env.CUDA_DEVICE_ORDER); setTimeout(() => {}, 700)";

describe('GPU slots (fake nvidia-smi on PATH)', () => {
  it('--gpus all: one slot per GPU, CUDA_VISIBLE_DEVICES per trial, GPU use in heartbeats and trial metrics', async () => {
    const sweep = 'sw-gpu';
    const stream = collectReports(transport, sweep);
    cleanups.push(stream.close);
    const agent = newAgent({ gpus: 'all', pool: 'gpu', gpuSampleMs: 100 });
    await agent.start();
    expect(ctl.registrations[0]).toMatchObject({
      slots: 2,
      pool: 'gpu',
      gpus: [
        { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 1024, utilizationPct: 15 },
        { index: 1, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 2048, utilizationPct: 30 },
      ],
    });

    const jobs = Array.from({ length: 4 }, () => nodeJob(sweep, SHOW_GPU, { pool: 'gpu', resources: { gpus: 1 } }));
    for (const job of jobs) await transport.queue.enqueue(job);
    // While two run, they hold different GPUs.
    const beat = await waitFor(() => ctl.heartbeats.find((h) => h.body.running.length === 2));
    expect(beat.body.running.map((r) => r.gpu).sort()).toEqual([0, 1]);
    expect(beat.body.gpus).toHaveLength(2);
    await waitFor(() => jobs.every((j) => finishedOf(stream.reports, j.trialId)));

    const gpuOf = new Map<string, number>();
    for (const job of jobs) {
      const finished = finishedOf(stream.reports, job.trialId);
      expect(finished?.result.outcome).toBe('exited');
      const gpu = finished?.result.finalMetrics.cvd as number;
      expect([0, 1]).toContain(gpu);
      gpuOf.set(job.trialId, gpu);
      // System metrics of that trial's GPU, from the samples taken while it ran.
      const points = stream.of(job.trialId).flatMap((r) => (r.type === 'metrics' ? r.points : []));
      const util = points.filter((p) => p.key === 'sys/gpu_util');
      const mem = points.filter((p) => p.key === 'sys/gpu_mem_used_mib');
      expect(util.length).toBeGreaterThanOrEqual(2);
      expect(util.map((p) => p.step)).toEqual(util.map((_, i) => i));
      expect(new Set(util.map((p) => p.value))).toEqual(new Set([gpu === 0 ? 15 : 30]));
      expect(new Set(mem.map((p) => p.value))).toEqual(new Set([gpu === 0 ? 1024 : 2048]));
      const { chunks } = await transport.logs.read(job.trialId, '0');
      expect(chunks.join('')).toContain('order PCI_BUS_ID');
      expect(chunks.join('')).toContain(`(slot ${gpu}, GPU ${gpu})`);
    }
    expect([...gpuOf.values()].filter((g) => g === 0)).toHaveLength(2);
  });

  it('--gpus 1: a single slot on GPU 1', async () => {
    const sweep = 'sw-gpu1';
    const stream = collectReports(transport, sweep);
    cleanups.push(stream.close);
    const agent = newAgent({ gpus: '1' });
    await agent.start();
    expect(agent.snapshot()).toMatchObject({ slots: 1, gpus: [{ index: 1 }] });
    const job = nodeJob(sweep, SHOW_GPU);
    await transport.queue.enqueue(job);
    const finished = await waitFor(() => finishedOf(stream.reports, job.trialId));
    expect(finished.result.finalMetrics.cvd).toBe(1);
  });

  it('--gpus all without nvidia-smi, or with a broken driver, fails start-up with a clear message', async () => {
    await writeFile(join(bin.dir, 'broken'), '');
    const broken = (await newAgent({ gpus: 'all' })
      .start()
      .catch((e: unknown) => e)) as AgentError;
    expect(broken.code).toBe(AGENT_ERROR_CODES.gpuDetection);
    expect(broken.message).toContain("nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate");

    process.env.PATH = originalPath;
    const missing = (await newAgent({ gpus: 'all' })
      .start()
      .catch((e: unknown) => e)) as AgentError;
    expect(missing.code).toBe(AGENT_ERROR_CODES.gpuDetection);
    expect(missing.message).toBe('nvidia-smi not found on PATH: cannot detect GPUs');
    expect(missing.hint).toContain('--slots N');
    expect(ctl.registrations).toHaveLength(0);
  });
});
