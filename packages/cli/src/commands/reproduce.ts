import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildTrialLineage, currentActor, fingerprintEnvironment } from '@hyperfleet/lineage';
import { materializeTrial, runTrial } from '@hyperfleet/runner';
import type { MetricPoint, SweepConfig } from '@hyperfleet/spec';
import { renderCommand } from '@hyperfleet/spec';
import { openStore } from '@hyperfleet/store';
import { CliError, EXIT } from '../cli-error';
import { newSweepId } from '../ids';
import { resolveRunsDir, resolveStoreUrl } from '../store-location';
import { dataCacheFor, resolveRemote } from './data-location';
import { withLineageErrors } from './lineage-errors';
import { worktreeHome } from './pin-sweep';

export interface ReproduceOptions {
  store?: string;
  local?: boolean;
  server?: string;
  tolerance?: number;
  remote?: string;
  keep?: boolean;
  json?: boolean;
}

/**
 * `hyperfleet reproduce <trial> --local`: a fresh worktree at the pinned commit with the pinned diff,
 * the pinned data by hash, the same params, seed and command; runs it as a new one-trial sweep and
 * prints recorded vs new metrics. Exit 0 when every recorded metric matches within the tolerance.
 */
export async function reproduceCommand(trialId: string, opts: ReproduceOptions, out = process.stdout): Promise<number> {
  if (opts.server) {
    throw new CliError(
      'reproduce --server needs the fleet controller API, which this build does not have yet',
      'run it here with --local (the default)',
      EXIT.usage,
    );
  }
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
        const config = sweep.config as SweepConfig;
        const command = renderCommand(config, {
          params: trial.params,
          argsJsonFile: join(runsDir, newTrial, 'params.json'),
        });
        const now = Date.now();
        await store.createSweep({
          ...sweep,
          id: newSweep,
          name: `reproduce ${trial.id}`,
          status: 'running',
          createdAt: now,
          finishedAt: null,
          reason: null,
        });
        await store.createTrial({
          ...trial,
          id: newTrial,
          sweepId: newSweep,
          index: 0,
          status: 'running',
          command,
          createdAt: now,
          startedAt: now,
          endedAt: null,
          exitCode: null,
          signal: null,
          reason: null,
          metricValue: null,
          attempts: 0,
        });
        await store.appendEvent({
          at: now,
          sweepId: newSweep,
          trialId: newTrial,
          type: 'trial.reproduce',
          actor: currentActor(),
          data: { of: trial.id },
        });
        const env = await fingerprintEnvironment({ dirs: [tree.cwd], root: tree.cwd });
        const record = buildTrialLineage(
          { code: pin, data: lineage.data, env, actor: currentActor() },
          { ...trial, id: newTrial, sweepId: newSweep, command },
          now,
        );
        await store.lineage().recordLineage(record);
        await store.startAttempt({
          trialId: newTrial,
          attempt: 1,
          worker: 'local',
          status: 'running',
          startedAt: now,
          endedAt: null,
          exitCode: null,
          signal: null,
          reason: null,
        });
        const points: MetricPoint[] = [];
        const result = await runTrial({
          sweepId: newSweep,
          trialId: newTrial,
          argv: command,
          cwd: tree.cwd,
          params: trial.params,
          seed: trial.seed,
          trialDir: join(runsDir, newTrial),
          metrics: config.metrics,
          ...(config.timeout === undefined ? {} : { timeoutMs: config.timeout * 1000 }),
          onMetrics: (ps) => points.push(...ps.map((p) => ({ trialId: newTrial, ...p }))),
        });
        await store.writeMetrics(points);
        const ok = result.outcome === 'exited' && result.exitCode === 0;
        const status = ok ? 'succeeded' : 'failed';
        const ended = Date.now();
        await store.finishAttempt(newTrial, 1, {
          status,
          endedAt: ended,
          exitCode: result.exitCode,
          signal: result.signal,
          reason: result.error,
        });
        const metricValue = sweep.metricName ? (result.finalMetrics[sweep.metricName] ?? null) : null;
        await store.updateTrial(newTrial, {
          status,
          endedAt: ended,
          exitCode: result.exitCode,
          signal: result.signal,
          reason: result.error,
          attempts: 1,
          metricValue,
        });
        await store.updateSweep(newSweep, {
          status: ok ? 'finished' : 'failed',
          finishedAt: ended,
          reason: `reproduction of ${trial.id}`,
        });

        const tol = opts.tolerance ?? 1e-9;
        const before = await store.getSummaries(trial.id);
        const after = new Map((await store.getSummaries(newTrial)).map((m) => [m.key, m]));
        const rows = before.map((m) => {
          const now2 = after.get(m.key);
          const diff = now2 ? Math.abs(now2.last - m.last) : Number.POSITIVE_INFINITY;
          const same =
            now2 !== undefined &&
            (diff <= tol || Object.is(now2.last, m.last) || (Number.isNaN(m.last) && Number.isNaN(now2.last)));
          return {
            key: m.key,
            recorded: m.last,
            reproduced: now2?.last ?? null,
            diff: now2 ? diff : null,
            match: same,
          };
        });
        const identical = record.identity === lineage.identity;
        const match = ok && rows.length > 0 && rows.every((r) => r.match);
        if (opts.json) {
          out.write(
            `${JSON.stringify({ trial: trial.id, reproduction: newTrial, identical, tolerance: tol, metrics: rows, match }, null, 2)}\n`,
          );
        } else {
          out.write(
            `identity  ${identical ? 'same as the original' : `DIFFERENT (${record.identity} vs ${lineage.identity})`}\n`,
          );
          out.write(
            `${'metric'.padEnd(20)} ${'recorded'.padStart(22)} ${'reproduced'.padStart(22)} ${'|diff|'.padStart(12)}\n`,
          );
          for (const r of rows) {
            out.write(
              `${r.key.padEnd(20)} ${String(r.recorded).padStart(22)} ${String(r.reproduced ?? '-').padStart(22)} ${(r.diff === null ? '-' : r.diff.toExponential(2)).padStart(12)} ${r.match ? 'ok' : 'MISMATCH'}\n`,
            );
          }
          out.write(
            ok
              ? match
                ? `reproduced: every metric matches within ${tol}\n`
                : `NOT reproduced: metrics differ beyond ${tol} (or none were recorded)\n`
              : `the reproduction failed: ${result.error ?? `exit ${result.exitCode}`} (log: ${result.logPath})\n`,
          );
        }
        return match ? EXIT.ok : EXIT.failure;
      } finally {
        if (!opts.keep) await tree.cleanup();
        await remote?.close();
      }
    });
  } finally {
    await store.close();
  }
}
