import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ResponseOf, routes } from '@hyperfleet/contract';
import type { MetricSummary, SweepConfig, TrialStatus } from '@hyperfleet/domain';
import { TERMINAL_TRIAL_STATUSES } from '@hyperfleet/domain';
import { newSweepId, recordReproduction, trialMetricValue } from '@hyperfleet/engine';
import { currentActor, fingerprintEnvironment, lineageDifferences, type TrialLineage } from '@hyperfleet/lineage';
import { materializeTrial } from '@hyperfleet/runner';
import { openStore, type SweepRecord } from '@hyperfleet/store';
import { CliError, EXIT } from '../cli-error';
import { EMBEDDED_POOL, EmbeddedSweep, embeddedTemplate } from '../embedded-sweep';
import { ApiClient } from '../fleet/api-client';
import { resolveRunsDir, resolveStoreUrl } from '../store-location';
import { dataCacheFor, resolveRemote } from './data-location';
import { withLineageErrors } from './lineage-errors';
import { worktreeHome } from './pin-sweep';

export interface ReproduceOptions {
  store?: string;
  local?: boolean;
  server?: string;
  /** API token for --server (default $HYPERFLEET_TOKEN); never printed. */
  token?: string;
  /** --server: run it on agents of this pool instead of the original's. */
  pool?: string;
  /** --server: give up waiting after this many seconds (the reproduction keeps running). Default: no limit. */
  wait?: number;
  tolerance?: number;
  remote?: string;
  keep?: boolean;
  json?: boolean;
}

/**
 * `hyperfleet reproduce <trial> --local`: a fresh worktree at the pinned commit with the pinned diff, the pinned
 * data by hash; the trial runs again as a new one-trial sweep through the embedded engine (as `hyperfleet run`
 * runs trials) with its recorded argv, params and seed, and the recorded vs new metrics are printed. Exit 0 when
 * every recorded metric matches within the tolerance.
 */
export async function reproduceCommand(trialId: string, opts: ReproduceOptions, out = process.stdout): Promise<number> {
  if (opts.server && opts.local) {
    throw new CliError('--local and --server exclude each other', 'pick where the trial runs again', EXIT.usage);
  }
  if (opts.server) return reproduceOnServer(trialId, { ...opts, server: opts.server }, out);
  const storeUrl = resolveStoreUrl(opts.store);
  const store = await openStore(storeUrl);
  try {
    return await withLineageErrors(async () => {
      const trial = await store.getTrial(trialId);
      if (!trial)
        throw new CliError(
          `no trial ${trialId} in this store`,
          'trial ids look like <sweep>-<n>: see `hyperfleet show <sweep>`',
          EXIT.usage,
        );
      const lineage = await store.lineage().getLineage(trial.id);
      const sweep = await store.getSweep(trial.sweepId);
      if (!lineage?.code || !sweep) {
        throw new CliError(
          `trial ${trial.id} has no code pin, so its code cannot be restored`,
          'only trials launched from a git repository (with lineage) can be reproduced',
          EXIT.usage,
        );
      }
      if (!trial.command || trial.command.length === 0) {
        throw new CliError(
          `trial ${trial.id} has no recorded command`,
          'it never got as far as being dispatched; run its sweep again instead',
          EXIT.usage,
        );
      }
      const pin = lineage.code;
      const repoRoot = existsSync(pin.repoRoot) ? pin.repoRoot : process.cwd();
      const home = worktreeHome(repoRoot);
      const newSweep = newSweepId();
      const newTrial = `${newSweep}-0`;
      const runsDir = join(resolveRunsDir(storeUrl), newSweep);
      const remote = await resolveRemote(repoRoot, opts.remote).catch(() => null);
      out.write(
        `reproducing ${trial.id} at ${pin.commit.slice(0, 12)}${pin.diff ? ` + diff ${pin.diff.hash.slice(7, 19)}` : ''} as ${newTrial}\n`,
      );
      const tree = await materializeTrial({
        pins: { code: pin, data: lineage.data },
        workdir: join(home.worktrees, newTrial),
        mirrorsDir: home.mirrors,
        getBlob: (h) => store.lineage().getBlob(h),
        // Same machine: clone from the repo itself, which has every commit (pushed or not).
        ...(existsSync(join(pin.repoRoot, '.git')) ? { source: pin.repoRoot } : {}),
        dataCache: await dataCacheFor(repoRoot),
        dataRemote: remote,
      });
      try {
        const actor = currentActor();
        const env = await fingerprintEnvironment({ dirs: [tree.cwd], root: tree.cwd });
        const { plan } = await recordReproduction(store, {
          original: trial,
          sweep,
          newSweepId: newSweep,
          now: Date.now(),
          actor,
          pool: EMBEDDED_POOL,
        });
        const embedded = await EmbeddedSweep.open({
          store,
          plan,
          template: embeddedTemplate(sweep.config as SweepConfig, {
            cwd: tree.cwd,
            pins: { code: pin, data: lineage.data, env, actor },
          }),
          hooks: {},
          // Where `run` puts a trial's files: a recorded `${args_json_file}` (ids renamed) points there.
          trialDir: (job) => join(runsDir, job.trialId),
        });
        const stopListening = embedded.cancelOnSignals(out);
        try {
          await embedded.start();
          await embedded.done;
        } finally {
          stopListening();
          await embedded.close();
        }
        const ran = await store.getTrial(newTrial);
        const reproduced = await store.lineage().getLineage(newTrial);
        const compared = compareMetrics(
          await store.getSummaries(trial.id),
          await store.getSummaries(newTrial),
          opts.tolerance ?? 1e-9,
          sweepMetric(sweep),
        );
        const ok = ran?.status === 'succeeded';
        writeComparison(
          out,
          {
            trial: trial.id,
            reproduction: newTrial,
            identity: identityOf(lineage, reproduced),
            tolerance: opts.tolerance ?? 1e-9,
            rows: compared.rows,
            match: ok && compared.match,
            failure: ok
              ? null
              : `${newTrial} ${ran?.status ?? 'vanished'}${ran?.reason ? `: ${ran.reason}` : ''} (log: ${join(runsDir, newTrial, 'output.log')})`,
          },
          opts.json,
        );
        return ok && compared.match ? EXIT.ok : EXIT.failure;
      } finally {
        if (!opts.keep) await tree.cleanup();
        await remote?.close();
      }
    });
  } finally {
    await store.close();
  }
}

/**
 * `hyperfleet reproduce <trial> --server URL`: reads the trial's lineage from the controller, asks it to run
 * the trial again on the fleet with the same pins, params, seed and command (`POST /api/trials/:id/reproduce`),
 * waits for it to end and compares its metrics with the recorded ones.
 */
export async function reproduceOnServer(
  trialId: string,
  opts: ReproduceOptions & { server: string },
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const api = new ApiClient({ server: opts.server, ...(opts.token ? { token: opts.token } : {}) });
  const { lineage } = await api.call(routes.trials.lineage, { id: trialId });
  if (!lineage.code) {
    throw new CliError(
      `trial ${trialId} has no code pin, so its code cannot be restored`,
      'only trials of a sweep submitted from a git repository can be reproduced',
      EXIT.usage,
    );
  }
  const recorded = await api.call(routes.trials.get, { id: trialId });
  const started = await api.call(
    routes.reproduce.start,
    { id: trialId },
    { body: opts.pool ? { pool: opts.pool } : {} },
  );
  const newTrial = started.trial.id;
  const pin = lineage.code;
  if (!opts.json) {
    out.write(
      `reproducing ${trialId} at ${pin.commit.slice(0, 12)}${pin.diff ? ` + diff ${pin.diff.hash.slice(7, 19)}` : ''} on ${api.baseUrl} as ${newTrial}\n` +
        `dashboard: ${started.dashboardUrl}\n`,
    );
  }
  const deadline = opts.wait === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.wait * 1000;
  let status: TrialStatus = started.trial.status;
  let now: ResponseOf<typeof routes.trials.get>;
  for (;;) {
    now = await api.call(routes.trials.get, { id: newTrial });
    if (now.trial.status !== status && !opts.json) out.write(`${newTrial}: ${now.trial.status}\n`);
    status = now.trial.status;
    if (TERMINAL_TRIAL_STATUSES.includes(status)) break;
    if (Date.now() > deadline) {
      throw new CliError(
        `${newTrial} has not finished after ${opts.wait} s (it is ${status})`,
        `it keeps running on the fleet: follow it with \`hyperfleet logs -f ${newTrial}\`, or wait longer with --wait`,
        EXIT.failure,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const reproducedLineage = await api
    .call(routes.trials.lineage, { id: newTrial })
    .then((r) => r.lineage)
    .catch(() => null);
  const tol = opts.tolerance ?? 1e-9;
  const ok = status === 'succeeded';
  const compared = compareMetrics(recorded.summaries, now.summaries, tol, sweepMetric(started.sweep));
  const match = ok && compared.match;
  writeComparison(
    out,
    {
      trial: trialId,
      reproduction: newTrial,
      identity: identityOf(lineage, reproducedLineage),
      tolerance: tol,
      rows: compared.rows,
      match,
      failure: ok
        ? null
        : `${newTrial} ${status}${now.trial.reason ? `: ${now.trial.reason}` : ''} (see \`hyperfleet logs ${newTrial}\`)`,
    },
    opts.json,
  );
  return match ? EXIT.ok : EXIT.failure;
}

export interface MetricRow {
  key: string;
  recorded: number;
  reproduced: number | null;
  diff: number | null;
  match: boolean;
}

type SweepMetric = Parameters<typeof trialMetricValue>[1];

function sweepMetric(sweep: Pick<SweepRecord, 'metricName' | 'goal'>): SweepMetric {
  return sweep.metricName ? { name: sweep.metricName, goal: sweep.goal } : null;
}

/**
 * Each recorded metric against the reproduction's, equal within `tol` (NaN matches NaN), each at the value the
 * trial reports for it (`trialMetricValue`: the sweep metric at its best by the sweep's goal, others at their last).
 */
export function compareMetrics(
  before: readonly MetricSummary[],
  after: readonly MetricSummary[],
  tol: number,
  metric: SweepMetric,
): { rows: MetricRow[]; match: boolean } {
  const byKey = new Map(after.map((m) => [m.key, trialMetricValue(m, metric)]));
  const rows = before.map((m) => {
    const recorded = trialMetricValue(m, metric);
    const again = byKey.get(m.key);
    const diff = again === undefined ? Number.POSITIVE_INFINITY : Math.abs(again - recorded);
    const same =
      again !== undefined &&
      (diff <= tol || Object.is(again, recorded) || (Number.isNaN(recorded) && Number.isNaN(again)));
    return { key: m.key, recorded, reproduced: again ?? null, diff: again === undefined ? null : diff, match: same };
  });
  return { rows, match: rows.length > 0 && rows.every((r) => r.match) };
}

interface IdentityComparison {
  recorded: string;
  reproduced: string | null;
  /** The inputs that differ (see `lineageDifferences`); null when the reproduction has no lineage record. */
  differences: string[] | null;
}

function identityOf(recorded: TrialLineage, reproduced: TrialLineage | null): IdentityComparison {
  return {
    recorded: recorded.identity,
    reproduced: reproduced?.identity ?? null,
    differences: reproduced ? lineageDifferences(recorded, reproduced) : null,
  };
}

interface Comparison {
  trial: string;
  reproduction: string;
  identity: IdentityComparison;
  tolerance: number;
  rows: MetricRow[];
  match: boolean;
  /** Why the reproduction did not succeed; null when it ran to exit 0. */
  failure: string | null;
}

/** Recorded vs reproduced, side by side (or as JSON). */
function writeComparison(out: NodeJS.WritableStream, c: Comparison, json: boolean | undefined): void {
  const { differences } = c.identity;
  const identical = differences !== null && differences.length === 0;
  if (json) {
    out.write(
      `${JSON.stringify(
        {
          trial: c.trial,
          reproduction: c.reproduction,
          identical,
          ...(identical ? {} : { differences: differences ?? ['no lineage recorded'] }),
          tolerance: c.tolerance,
          metrics: c.rows,
          match: c.match,
          ...(c.failure ? { failure: c.failure } : {}),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  out.write(
    `identity  ${identical ? 'same as the original' : `DIFFERENT (${differences?.join(', ') ?? 'none recorded'}: ${c.identity.reproduced ?? '-'} vs ${c.identity.recorded})`}\n`,
  );
  out.write(
    `${'metric'.padEnd(20)} ${'recorded'.padStart(22)} ${'reproduced'.padStart(22)} ${'|diff|'.padStart(12)}\n`,
  );
  for (const r of c.rows) {
    out.write(
      `${r.key.padEnd(20)} ${String(r.recorded).padStart(22)} ${String(r.reproduced ?? '-').padStart(22)} ${(r.diff === null ? '-' : r.diff.toExponential(2)).padStart(12)} ${r.match ? 'ok' : 'MISMATCH'}\n`,
    );
  }
  out.write(
    c.failure === null
      ? c.match
        ? `reproduced: every metric matches within ${c.tolerance}\n`
        : `NOT reproduced: metrics differ beyond ${c.tolerance} (or none were recorded)\n`
      : `the reproduction failed: ${c.failure}\n`,
  );
}
