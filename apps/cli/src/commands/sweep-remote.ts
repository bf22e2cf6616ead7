import { dirname, resolve } from 'node:path';
import { type ResponseOf, routes, type SweepAction, wireReplacer } from '@hyperfleet/contract';
import { formatIssues, loadSweepConfig } from '@hyperfleet/domain';
import type { UntrackedPolicy } from '@hyperfleet/lineage';
import { CliError, EXIT } from '../cli-error';
import { ApiClient, type ServerOptions } from '../fleet/api-client';
import { formatDuration } from '../ui/format';
import { renderSweepList } from '../ui/sweep-list';
import { renderTrialTable } from '../ui/trial-table';
import { pinFleetSweep } from './pin-fleet-sweep';

export interface SubmitOptions extends ServerOptions {
  pool?: string;
  name?: string;
  seed?: number;
  count?: number;
  force?: boolean;
  json?: boolean;
  untracked?: UntrackedPolicy;
  /** Ship the commit as a git bundle through the controller (agents cannot fetch an unpushed commit). */
  bundle?: boolean;
  /** Data remote the pinned data is pushed to and agents fetch from. */
  remote?: string;
  /** false (--no-push): do not upload the pinned data; the agents have it already. */
  push?: boolean;
}

/**
 * `hyperfleet sweep submit sweep.yaml`: validated here first, so a bad config never reaches the server; the
 * code, data and environment are pinned here and the diff (and bundle) uploaded before the sweep is submitted.
 */
export async function submitCommand(file: string, opts: SubmitOptions, out = process.stdout): Promise<number> {
  const loaded = await loadSweepConfig(file);
  if (!loaded.ok) {
    throw new CliError(
      `invalid sweep config ${file}\n${formatIssues(loaded.issues, { source: file })}`,
      undefined,
      EXIT.usage,
    );
  }
  const api = new ApiClient(opts);
  const pins = await pinFleetSweep(resolve(file), loaded.config, (hash, bytes) => api.putBlob(hash, bytes), {
    ...(opts.untracked ? { untracked: opts.untracked } : {}),
    ...(opts.bundle ? { bundle: true } : {}),
    ...(opts.remote ? { remote: opts.remote } : {}),
    ...(opts.push === false ? { push: false } : {}),
  });
  const body = {
    config: loaded.config,
    cwd: dirname(resolve(file)),
    pins,
    ...(opts.pool ? { pool: opts.pool } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.count !== undefined ? { count: opts.count } : {}),
  };
  const res = await api.call(routes.sweeps.submit, {}, { body, query: opts.force ? { force: 'true' } : {} });
  if (opts.json) out.write(`${JSON.stringify(res, wireReplacer, 2)}\n`);
  else
    out.write(
      `sweep ${res.sweep.id} submitted (${res.sweep.method}, seed ${res.sweep.seed})\ndashboard: ${res.dashboardUrl}\n`,
    );
  return EXIT.ok;
}

export async function sweepLsCommand(opts: ServerOptions & { json?: boolean; limit?: number }, out = process.stdout) {
  const api = new ApiClient(opts);
  const { sweeps } = await api.call(routes.sweeps.list, {}, { query: { limit: opts.limit ?? 50 } });
  if (opts.json) out.write(`${JSON.stringify({ sweeps }, wireReplacer, 2)}\n`);
  else if (sweeps.length === 0)
    out.write('no sweeps on this server yet: submit one with `hyperfleet sweep submit sweep.yaml`\n');
  else {
    const rows = sweeps.map((s) => ({
      sweep: s,
      total: Object.values(s.counts).reduce((a, b) => a + b, 0),
      failed: s.counts.failed,
      best: s.best?.value ?? null,
    }));
    out.write(`${renderSweepList(rows)}\n`);
  }
  return EXIT.ok;
}

export async function sweepShowCommand(id: string, opts: ServerOptions & { json?: boolean }, out = process.stdout) {
  const api = new ApiClient(opts);
  const res = await api.call(routes.sweeps.get, { id });
  if (opts.json) {
    out.write(`${JSON.stringify(res, wireReplacer, 2)}\n`);
    return EXIT.ok;
  }
  const { sweep, counts, trials } = res;
  const ended = sweep.finishedAt ?? Date.now();
  const countText = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  out.write(
    [
      `sweep     ${sweep.id}${sweep.name ? ` (${sweep.name})` : ''}`,
      `status    ${sweep.status}${sweep.reason ? ` — ${sweep.reason}` : ''}`,
      `method    ${sweep.method}, seed ${sweep.seed}`,
      `trials    ${countText || 'none yet'}`,
      `created   ${new Date(sweep.createdAt).toISOString()}, ran ${formatDuration(ended - sweep.createdAt)}`,
      '',
      renderTrialTable(trials, { metricName: sweep.metricName, now: Date.now(), color: Boolean(out.isTTY) }),
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

export type { SweepAction };

/** How long `sweep cancel` waits for the running trials to stop before it says they are still stopping. */
const CANCEL_WAIT_MS = 30_000;

/**
 * `sweep pause|resume|stop|cancel|retry-failed`: prints the state the action leads to. Pause, resume and
 * retry-failed apply at once. Cancel stops the running trials first, so it waits (bounded) for the sweep to
 * end; stop lets them finish, so it says what is still running instead of the `running` it still reads.
 */
export async function sweepActionCommand(
  action: SweepAction,
  id: string,
  opts: ServerOptions & { json?: boolean },
  out = process.stdout,
) {
  const api = new ApiClient(opts);
  const res = await api.call(routes.sweeps.control, { id, action });
  const sweep = action === 'cancel' ? await untilEnded(api, res.sweep, CANCEL_WAIT_MS, 250) : res.sweep;
  if (opts.json) {
    out.write(`${JSON.stringify({ ...res, sweep }, wireReplacer, 2)}\n`);
    return EXIT.ok;
  }
  const active = sweep.status === 'running' || sweep.status === 'paused';
  if ((action === 'stop' || action === 'cancel') && active) {
    const { counts } = await api.call(routes.sweeps.get, { id: sweep.id });
    const verb = action === 'stop' ? 'stopping: no new trials;' : 'cancelling:';
    const what = action === 'stop' ? 'finish first' : 'are still stopping';
    out.write(`sweep ${sweep.id}: ${verb} ${counts.running} running trial(s) ${what}\n`);
  } else {
    out.write(`sweep ${sweep.id}: ${sweep.status}${sweep.reason ? ` — ${sweep.reason}` : ''}\n`);
  }
  return EXIT.ok;
}

type SweepRecordOf = ResponseOf<typeof routes.sweeps.control>['sweep'];

/** The sweep once it has left running/paused, or as it stands after `withinMs`. */
async function untilEnded(api: ApiClient, sweep: SweepRecordOf, withinMs: number, pollMs: number) {
  const deadline = Date.now() + withinMs;
  let current = sweep;
  while ((current.status === 'running' || current.status === 'paused') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, pollMs));
    current = (await api.call(routes.sweeps.get, { id: sweep.id })).sweep;
  }
  return current;
}
