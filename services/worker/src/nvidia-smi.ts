import { execFile } from 'node:child_process';
import { AGENT_ERROR_CODES, AgentError } from './agent-error';
import { type GpuInfo, NVIDIA_SMI_ARGS, parseNvidiaSmiCsv } from './gpu-info';

export interface NvidiaSmiOptions {
  /** The executable (resolved on PATH). Default 'nvidia-smi'. */
  command?: string;
  timeoutMs?: number;
}

/** Runs nvidia-smi's GPU query (argv, no shell) and parses it; errors say what to do. */
export function queryGpus(opts: NvidiaSmiOptions = {}): Promise<GpuInfo[]> {
  const command = opts.command ?? 'nvidia-smi';
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...NVIDIA_SMI_ARGS],
      { timeout: opts.timeoutMs ?? 10_000, maxBuffer: 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          const errno = (error as NodeJS.ErrnoException).code;
          if (errno === 'ENOENT') {
            return reject(
              new AgentError(AGENT_ERROR_CODES.gpuDetection, `${command} not found on PATH: cannot detect GPUs`, {
                hint: 'install the NVIDIA driver (it ships nvidia-smi), or run a CPU agent with --slots N',
                cause: error,
              }),
            );
          }
          const detail = String(stderr || stdout).trim() || error.message;
          return reject(
            new AgentError(AGENT_ERROR_CODES.gpuDetection, `${command} failed: ${detail}`, {
              hint: 'check the NVIDIA driver (`nvidia-smi` must work for this user), or use --slots N',
              cause: error,
            }),
          );
        }
        try {
          resolve(parseNvidiaSmiCsv(String(stdout)));
        } catch (parseError) {
          reject(
            new AgentError(AGENT_ERROR_CODES.gpuDetection, (parseError as Error).message, {
              hint: 'this nvidia-smi prints something the agent does not understand; please report it',
            }),
          );
        }
      },
    );
  });
}

/**
 * `--gpus all` → every GPU nvidia-smi lists; `--gpus 0,2` → those indices, checked against nvidia-smi when
 * it is there (a container may hide nvidia-smi but still pass the devices through: then they are trusted).
 */
export async function resolveGpuSelection(
  selection: string,
  query: () => Promise<GpuInfo[]>,
): Promise<{ indices: number[]; gpus: GpuInfo[]; warning: string | null }> {
  const trimmed = selection.trim();
  if (trimmed === 'all') {
    const gpus = await query();
    if (gpus.length === 0) {
      throw new AgentError(AGENT_ERROR_CODES.gpuDetection, 'nvidia-smi lists no GPUs on this machine', {
        hint: 'check the driver and that the GPUs are visible to this user/container, or use --slots N',
      });
    }
    return { indices: gpus.map((g) => g.index), gpus, warning: null };
  }
  const indices = parseGpuList(trimmed);
  let gpus: GpuInfo[];
  try {
    gpus = await query();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { indices, gpus: [], warning: `GPU use will not be reported: ${message}` };
  }
  const missing = indices.filter((i) => !gpus.some((g) => g.index === i));
  if (missing.length > 0) {
    throw new AgentError(
      AGENT_ERROR_CODES.gpuDetection,
      `--gpus names GPU ${missing.join(', ')}, which nvidia-smi does not list`,
      { hint: `this machine has GPU ${gpus.map((g) => g.index).join(', ') || '(none)'}; use --gpus all or a subset` },
    );
  }
  return { indices, gpus: gpus.filter((g) => indices.includes(g.index)), warning: null };
}

/** "0,2" → [0, 2]; rejects duplicates and non-indices. */
export function parseGpuList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const indices = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (parts.length === 0 || indices.some((i) => Number.isNaN(i))) {
    throw new AgentError(
      AGENT_ERROR_CODES.badOptions,
      `--gpus expects "all" or a list of indices like 0,2; got "${text}"`,
    );
  }
  if (new Set(indices).size !== indices.length) {
    throw new AgentError(AGENT_ERROR_CODES.badOptions, `--gpus lists a GPU twice: "${text}"`);
  }
  return indices;
}
