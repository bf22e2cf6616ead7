import { DEFAULT_PROJECT } from '@hyperfleet/domain';
import { isStoreError, type ModelVersionRecord, type TrackingStore, type TrialRecord } from '@hyperfleet/store';
import { trialMetricValue } from './ranking';

export interface RegisterTrialModel {
  trial: TrialRecord;
  name: string;
  /** The model file's content address and where it lives (a data cache path, a URI). */
  artifact: { hash: string; size: number; uri: string };
  aliases?: string[];
  actor: string | null;
  at: number;
}

/**
 * A trial's artifact as a new model version, in the trial's project, with the trial's lineage (commit, diff,
 * data hashes, params, seed, final metrics) copied into its tags. `hyperfleet model register` (embedded) and
 * `POST /api/models/:name/versions` (fleet) both go through here.
 */
export async function registerTrialModel(store: TrackingStore, req: RegisterTrialModel): Promise<ModelVersionRecord> {
  const { trial, artifact } = req;
  const sweep = await store.getSweep(trial.sweepId);
  const lineage = await store.lineage().getLineage(trial.id);
  const sweepMetric = sweep?.metricName ? { name: sweep.metricName, goal: sweep.goal } : null;
  // The values the run summary and `reproduce` show: the sweep metric at its best by the sweep's goal.
  const metrics = Object.fromEntries(
    (await store.getSummaries(trial.id)).map((m) => [m.key, trialMetricValue(m, sweepMetric)]),
  );
  const tags: Record<string, unknown> = {
    sweep: trial.sweepId,
    commit: lineage?.code?.commit ?? null,
    remote: lineage?.code?.remote ?? null,
    diff: lineage?.code?.diff?.hash ?? null,
    data: Object.fromEntries((lineage?.data ?? []).map((d) => [d.path, d.md5])),
    identity: lineage?.identity ?? null,
    params: trial.params,
    seed: trial.seed,
    metrics,
  };
  const version = await store.models().register({
    name: req.name,
    project: sweep?.project ?? DEFAULT_PROJECT,
    trialId: trial.id,
    artifact,
    tags,
    aliases: req.aliases ?? [],
    actor: req.actor,
    at: req.at,
  });
  try {
    await store.addArtifact({ trialId: trial.id, name: req.name, ...artifact, createdAt: req.at });
  } catch (err) {
    // Registered before under this name: the trial's artifact row is already there.
    if (!isStoreError(err) || err.code !== 'STORE_CONFLICT') throw err;
  }
  return version;
}
