import { type AgentLogger, type SamplePoint, SlotPool } from '@hyperfleet/agent-core';
import type { AgentOptions } from './agent-options';
import type { GpuInfo } from './gpu-info';
import { type NvidiaSmiOptions, queryGpus, resolveGpuSelection } from './nvidia-smi';

/** The agent's slots: `--slots N` CPU slots, or one slot per selected GPU. */
export interface AgentSlots {
  slots: SlotPool;
  /** The selected GPUs as nvidia-smi last described them (empty on a CPU agent). */
  gpus: GpuInfo[];
  /** nvidia-smi indices of the selected GPUs. */
  gpuIndices: number[];
}

type SlotOptions = Pick<AgentOptions, 'gpus' | 'slots' | 'nvidiaSmi'>;

export async function detectSlots(opts: SlotOptions, log: AgentLogger): Promise<AgentSlots> {
  if (opts.gpus === undefined) return { slots: SlotPool.cpu(opts.slots ?? 1), gpus: [], gpuIndices: [] };
  const selection = await resolveGpuSelection(opts.gpus, () => queryGpus(nvidiaSmiOptions(opts)));
  if (selection.warning) log('warn', selection.warning);
  const names = selection.gpus.map((g) => `${g.index}: ${g.name}`).join('; ');
  log('info', `GPU slots: ${selection.indices.join(', ')}${names ? ` (${names})` : ''}`);
  return { slots: SlotPool.gpus(selection.indices), gpus: selection.gpus, gpuIndices: selection.indices };
}

/** One nvidia-smi query, narrowed to the agent's GPUs (for the GPU sampler). */
export async function querySelectedGpus(opts: SlotOptions, indices: number[]): Promise<GpuInfo[]> {
  const gpus = await queryGpus(nvidiaSmiOptions(opts));
  return gpus.filter((g) => indices.includes(g.index));
}

/** A GPU's use as `sys/gpu_*` points for the trial running on it. */
export function gpuUsePoints(gpu: GpuInfo): SamplePoint[] {
  const points: SamplePoint[] = [];
  if (gpu.utilizationPct !== null) points.push({ key: 'sys/gpu_util', value: gpu.utilizationPct });
  if (gpu.memoryUsedMiB !== null) points.push({ key: 'sys/gpu_mem_used_mib', value: gpu.memoryUsedMiB });
  return points;
}

function nvidiaSmiOptions(opts: SlotOptions): NvidiaSmiOptions {
  return opts.nvidiaSmi === undefined ? {} : { command: opts.nvidiaSmi };
}
