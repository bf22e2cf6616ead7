import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentReport, TrialJob } from '@hyperfleet/transport';
import type { AgentLogLevel } from '../agent-logger';
import type { AgentTransport } from '../agent-transport';

/** Test support for agents (here and in services/worker): jobs running Node scripts, their reports, a work dir. */

export interface LogLine {
  level: AgentLogLevel;
  message: string;
}

export async function makeWorkDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hyperfleet-worker-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

let nextTrial = 0;

/** A job running a Node script (CommonJS, so `require` works). */
export function nodeJob(sweepId: string, script: string, overrides: Partial<TrialJob> = {}): TrialJob {
  nextTrial++;
  return {
    sweepId,
    trialId: `t${nextTrial}`,
    attempt: 1,
    pool: 'default',
    argv: [process.execPath, '-e', script],
    params: { lr: 0.1 },
    seed: 1,
    cwd: tmpdir(),
    killGraceMs: 300,
    ...overrides,
  };
}

/** Collects every report published on a sweep's stream, in order. */
export function collectReports(
  transport: AgentTransport,
  sweepId: string,
): { reports: AgentReport[]; of: (trialId: string) => AgentReport[]; close: () => Promise<void> } {
  const reports: AgentReport[] = [];
  const sub = transport.reports.subscribe(sweepId, 'test', async (batch) => {
    reports.push(...batch);
  });
  return { reports, of: (trialId) => reports.filter((r) => r.trialId === trialId), close: () => sub.close() };
}

export function finishedOf(reports: AgentReport[], trialId: string) {
  const report = reports.find((r) => r.type === 'finished' && r.trialId === trialId);
  return report?.type === 'finished' ? report : undefined;
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
