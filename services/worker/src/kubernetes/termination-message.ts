import { PROCESS_OUTCOMES } from '@hyperfleet/domain';
import { z } from 'zod';

/**
 * How `exec-trial` tells the executor how the trial ended: a JSON line in the container's termination
 * message (`/dev/termination-log`), which Kubernetes copies into the pod status. The kubelet keeps at most
 * 4096 bytes, so the error is cut short and, when still too long, final metrics are dropped (the controller
 * falls back on the summaries it built from the streamed points).
 */
export const TERMINATION_MESSAGE_LIMIT = 4096;

const messageSchema = z.object({
  hyperfleet: z.literal(1),
  outcome: z.enum(PROCESS_OUTCOMES),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number(),
  malformedLines: z.number().int(),
  finalMetrics: z.record(z.string(), z.number()),
});

export type TerminationMessage = z.infer<typeof messageSchema>;

export function encodeTerminationMessage(result: Omit<TerminationMessage, 'hyperfleet'>): string {
  const error = result.error && result.error.length > 1000 ? `${result.error.slice(0, 1000)}…` : result.error;
  // JSON has no NaN/Infinity: such final values are left to the streamed points.
  const metrics = Object.entries(result.finalMetrics).filter(([, v]) => Number.isFinite(v));
  const message = { hyperfleet: 1 as const, ...result, error, finalMetrics: Object.fromEntries(metrics) };
  let text = JSON.stringify(message);
  while (Buffer.byteLength(text) > TERMINATION_MESSAGE_LIMIT && metrics.length > 0) {
    metrics.splice(Math.floor(metrics.length / 2));
    text = JSON.stringify({ ...message, finalMetrics: Object.fromEntries(metrics) });
  }
  return text;
}

/** The result `exec-trial` wrote, or null when the container ended without one (killed, OOM, not our entry). */
export function decodeTerminationMessage(text: string | undefined): TerminationMessage | null {
  if (!text) return null;
  try {
    const parsed = messageSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
