import type { TrialEnvSpec } from '@hyperfleet/domain';
import type { TrialJob } from '@hyperfleet/transport';
import type { Slot } from './slot-pool';

/** A trial asking for more GPUs than a slot gives is a configuration problem: say so instead of running it. */
export function gpuRequestProblem(job: TrialJob, slot: Slot, agent: { agentId: string; pool: string }): string | null {
  const wanted = job.resources?.gpus;
  if (wanted === undefined || wanted === 0) return null;
  if (slot.gpu === null) {
    return `the trial asks for ${wanted} GPU(s) but agent ${agent.agentId} (pool ${agent.pool}) has none: submit the sweep to a GPU pool`;
  }
  if (wanted > 1) return `the trial asks for ${wanted} GPUs but agents give each trial one GPU (one slot per GPU)`;
  return null;
}

/** CUDA numbers GPUs fastest-first unless told otherwise; nvidia-smi's indices are PCI bus order. */
export function slotEnv(job: TrialJob, slot: Slot): TrialEnvSpec | undefined {
  if (slot.gpu === null) return job.env;
  return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', ...job.env };
}

/** The GPUs a trial in this slot sees (CUDA_VISIBLE_DEVICES); undefined on a CPU slot (left as it is). */
export function slotGpus(job: TrialJob, slot: Slot): string[] | undefined {
  if (slot.gpu === null) return undefined;
  // resources.gpus: 0 on a GPU agent: hide every GPU (an empty CUDA_VISIBLE_DEVICES).
  return job.resources?.gpus === 0 ? [] : [String(slot.gpu)];
}
