/**
 * Checks GPU slots on a real GPU machine: nvidia-smi detection, one slot per GPU, CUDA_VISIBLE_DEVICES per
 * trial (and, through the CUDA driver API, that the trial really sees exactly that GPU), GPU use sampled
 * into each trial's metrics (with PyTorch there, while the trial keeps its GPU busy). Needs no server, Redis
 * or token: it runs a real agent against a stand-in controller and the in-process transport.
 *
 *   node --import tsx services/worker/scripts/gpu-check.ts [--gpus all|0,2] [--seconds 4]
 *
 * Exit 0 when every check passes; each line says PASS, FAIL or SKIP and why.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AgentReport, createInProcessTransport, type TrialJob } from '@hyperfleet/transport';
import { createAgent, queryGpus } from '../src/index';

const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const gpusFlag = flag('--gpus', 'all');
const holdSeconds = Number(flag('--seconds', '4'));

// Runs in each trial: what CUDA itself sees under the CUDA_VISIBLE_DEVICES the agent set.
const PYTHON_PROBE = `
import ctypes, os, sys, time
visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
print("gpu_index=" + visible if visible.isdigit() else "visible " + repr(visible))
print("order " + os.environ.get("CUDA_DEVICE_ORDER", ""))
try:
    cuda = ctypes.CDLL("libcuda.so.1")
    if cuda.cuInit(0) != 0: raise OSError("cuInit failed")
    n = ctypes.c_int(); cuda.cuDeviceGetCount(ctypes.byref(n))
    print("cuda_device_count=%d" % n.value)
    dev = ctypes.c_int(); cuda.cuDeviceGet(ctypes.byref(dev), 0)
    bus = ctypes.create_string_buffer(64); cuda.cuDeviceGetPCIBusId(bus, 64, dev)
    print("pci " + bus.value.decode())
except OSError as e:
    print("cuda unavailable: %s" % e)
sys.stdout.flush()
# Keeps its GPU busy for the hold when PyTorch can: the agent's samples must then show that GPU in use.
end = time.time() + ${holdSeconds}
busy = 0
try:
    import torch
    x = torch.randn(4096, 4096, device="cuda")
    while time.time() < end:
        for _ in range(20): x = (x @ x).clamp_(-1, 1)
        torch.cuda.synchronize()
    busy = 1
except Exception as e:
    print("no GPU load: %s" % e)
print("kept_gpu_busy=%d" % busy)
sys.stdout.flush()
time.sleep(max(0.0, end - time.time()))
`;
const NODE_PROBE = `const v = process.env.CUDA_VISIBLE_DEVICES ?? ''; console.log(/^\\d+$/.test(v) ? 'gpu_index=' + v : 'visible ' + JSON.stringify(v)); console.log('order ' + process.env.CUDA_DEVICE_ORDER); setTimeout(() => {}, ${holdSeconds * 1000})`;

const results: Array<{ status: 'PASS' | 'FAIL' | 'SKIP'; what: string }> = [];
const check = (ok: boolean | null, what: string) => {
  const status = ok === null ? 'SKIP' : ok ? 'PASS' : 'FAIL';
  results.push({ status, what });
  process.stdout.write(`${status.padEnd(4)}  ${what}\n`);
};

async function main(): Promise<number> {
  // 1. Detection.
  let detected: Awaited<ReturnType<typeof queryGpus>>;
  try {
    detected = await queryGpus();
  } catch (error) {
    const e = error as Error & { hint?: string };
    process.stdout.write(`FAIL  nvidia-smi: ${e.message}${e.hint ? `\n      hint: ${e.hint}` : ''}\n`);
    return 1;
  }
  check(detected.length > 0, `nvidia-smi lists ${detected.length} GPU(s)`);
  for (const g of detected) {
    process.stdout.write(
      `      GPU ${g.index}: ${g.name}, ${g.memoryUsedMiB}/${g.memoryTotalMiB} MiB, ${g.utilizationPct}% busy\n`,
    );
  }
  const busIds = new Map<number, string>();
  try {
    const { stdout } = await run('nvidia-smi', ['--query-gpu=index,pci.bus_id', '--format=csv,noheader']);
    for (const line of stdout.trim().split('\n')) {
      const [index, bus] = line.split(',').map((s) => s.trim());
      if (index !== undefined && bus !== undefined) busIds.set(Number(index), normalizeBus(bus));
    }
  } catch {
    // Only the PCI cross-check needs it.
  }
  const python = await run('python3', ['-c', 'print(1)']).then(
    () => true,
    () => false,
  );

  // 2. A real agent with GPU slots, a stand-in controller, the in-process transport.
  const heartbeats: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/agents/register') {
        const { agentId } = JSON.parse(body) as { agentId: string };
        res.end(JSON.stringify({ agentId, redisUrl: 'in-process', heartbeatMs: 500, queuePrefix: 'gpu-check' }));
      } else {
        heartbeats.push(JSON.parse(body));
        res.end('{"ok":true}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const transport = createInProcessTransport();
  const workDir = await mkdtemp(join(tmpdir(), 'hyperfleet-gpu-check-'));
  const agent = createAgent({
    serverUrl: `http://127.0.0.1:${port}`,
    token: 'gpu-check',
    gpus: gpusFlag,
    pool: 'gpu-check',
    workDir,
    gpuSampleMs: 500,
    transportFactory: () => ({ ...transport, close: async () => {} }),
    logger: (level, message) => process.stdout.write(`      [agent ${level}] ${message}\n`),
  });
  const reports: AgentReport[] = [];
  const sub = transport.reports.subscribe('gpucheck', 'check', async (batch) => {
    reports.push(...batch);
  });
  try {
    await agent.start();
    const slots = agent.snapshot().slots;
    check(slots > 0, `agent made ${slots} GPU slot(s) for --gpus ${gpusFlag}`);

    // 3. Twice as many trials as slots: each GPU runs two, one at a time.
    const jobs: TrialJob[] = Array.from({ length: slots * 2 }, (_, i) => ({
      sweepId: 'gpucheck',
      trialId: `probe${i}`,
      attempt: 1,
      pool: 'gpu-check',
      argv: python ? ['python3', '-c', PYTHON_PROBE] : [process.execPath, '-e', NODE_PROBE],
      params: {},
      seed: i,
      cwd: workDir,
      resources: { gpus: 1 },
      killGraceMs: 2000,
    }));
    for (const job of jobs) await transport.queue.enqueue(job);
    const deadline = Date.now() + (holdSeconds + 30) * 2 * 1000;
    const finished = () => reports.filter((r) => r.type === 'finished');
    while (finished().length < jobs.length && Date.now() < deadline) await sleep(200);
    check(finished().length === jobs.length, `${finished().length}/${jobs.length} probe trials finished`);

    // 4. Per trial: its GPU, what CUDA saw, its sampled GPU use.
    const perGpu = new Map<number, Array<{ start: number; end: number }>>();
    for (const job of jobs) {
      const mine = reports.filter((r) => r.trialId === job.trialId);
      const start = mine.find((r) => r.type === 'started');
      const end = mine.find((r) => r.type === 'finished');
      if (end?.type !== 'finished' || start?.type !== 'started') continue;
      const gpu = end.result.finalMetrics.gpu_index;
      const log = (await transport.logs.read(job.trialId, '0')).chunks.join('');
      check(
        end.result.outcome === 'exited' && end.result.exitCode === 0,
        `${job.trialId}: exited ${end.result.exitCode}`,
      );
      check(gpu !== undefined, `${job.trialId}: CUDA_VISIBLE_DEVICES is one GPU index (${gpu ?? 'missing'})`);
      check(log.includes('order PCI_BUS_ID'), `${job.trialId}: CUDA_DEVICE_ORDER=PCI_BUS_ID`);
      if (gpu !== undefined) perGpu.set(gpu, [...(perGpu.get(gpu) ?? []), { start: start.at, end: end.at }]);
      const count = end.result.finalMetrics.cuda_device_count;
      if (count === undefined) {
        check(
          null,
          `${job.trialId}: CUDA driver API not reachable from python3 (${python ? 'no libcuda.so.1' : 'no python3'})`,
        );
      } else {
        check(count === 1, `${job.trialId}: CUDA sees ${count} device(s)`);
        const pci = /pci (\S+)/.exec(log)?.[1];
        const expected = gpu === undefined ? undefined : busIds.get(gpu);
        if (pci && expected) {
          check(
            normalizeBus(pci) === expected,
            `${job.trialId}: CUDA device 0 is PCI ${pci}, nvidia-smi GPU ${gpu} is ${expected}`,
          );
        }
      }
      const util = mine.flatMap((r) => (r.type === 'metrics' ? r.points : [])).filter((p) => p.key === 'sys/gpu_util');
      check(util.length > 0, `${job.trialId}: ${util.length} sys/gpu_util sample(s) on its report stream`);
      const peak = Math.max(0, ...util.map((p) => p.value));
      check(
        end.result.finalMetrics.kept_gpu_busy === 1 ? peak > 0 : null,
        end.result.finalMetrics.kept_gpu_busy === 1
          ? `${job.trialId}: its GPU's sampled use peaked at ${peak}% while the trial kept it busy`
          : `${job.trialId}: no PyTorch with CUDA in python3, so no load to see in the samples`,
      );
    }
    const overlapping = [...perGpu.values()].some((runs) =>
      runs.some((a, i) => runs.some((b, j) => i !== j && a.start < b.end && b.start < a.end)),
    );
    check(!overlapping, 'no GPU ran two trials at once');
    check(perGpu.size === slots, `trials used ${perGpu.size} distinct GPU(s) for ${slots} slot(s)`);
    check(heartbeats.length > 0, `${heartbeats.length} heartbeat(s) with GPU use sent`);
  } finally {
    await sub.close();
    await agent.close();
    await transport.close();
    server.close();
    await rm(workDir, { recursive: true, force: true });
  }
  const failed = results.filter((r) => r.status === 'FAIL').length;
  process.stdout.write(`\n${failed === 0 ? 'all checks passed' : `${failed} check(s) failed`}\n`);
  return failed === 0 ? 0 : 1;
}

/** nvidia-smi prints 00000000:19:00.0, CUDA 0000:19:00.0: compare without the domain's zero padding. */
function normalizeBus(bus: string): string {
  const [domain, ...rest] = bus.toLowerCase().split(':');
  return [Number.parseInt(domain ?? '0', 16).toString(16), ...rest].join(':');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

process.exitCode = await main().catch((error: unknown) => {
  process.stdout.write(`FAIL  ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});
