import type { GpuInfo } from '@hyperfleet/contract';

/** One GPU as nvidia-smi reports it: the API's GpuInfo. */
export type { GpuInfo };

/** The exact query the agent runs; the parser expects these columns in this order. */
export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,memory.total,memory.used,utilization.gpu',
  '--format=csv,noheader,nounits',
] as const;

/**
 * Parses `nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu --format=csv[,noheader][,nounits]`.
 * Tolerates the header line, unit suffixes ("81559 MiB", "3 %") and "[N/A]"/"[Not Supported]" cells (→ null).
 * A name containing commas is rejoined: the other four columns are fixed. Lines that make no sense are
 * reported, not skipped, so a driver that changed its output fails loudly.
 */
export function parseNvidiaSmiCsv(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || /^index\s*,/i.test(line)) continue;
    const cells = line.split(',').map((cell) => cell.trim());
    if (cells.length < 5) throw new Error(`unexpected nvidia-smi line (need 5 columns): ${JSON.stringify(line)}`);
    const index = Number(cells[0]);
    if (!Number.isInteger(index) || index < 0) throw new Error(`unexpected GPU index in nvidia-smi line: ${line}`);
    const tail = cells.slice(-3);
    gpus.push({
      index,
      name: cells.slice(1, -3).join(', '),
      memoryTotalMiB: quantity(tail[0]),
      memoryUsedMiB: quantity(tail[1]),
      utilizationPct: quantity(tail[2]),
    });
  }
  return gpus;
}

function quantity(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  const match = /^(-?\d+(?:\.\d+)?)\s*(?:MiB|%)?$/.exec(cell);
  return match ? Number(match[1]) : null;
}
