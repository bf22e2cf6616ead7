import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from './helpers/cli';

// The README's first command, end to end: the real iris example, the real CLI, SQLite, real processes.
describe('hyperfleet run examples/iris/sweep.yaml', () => {
  const dir = tempDir();
  const store = join(dir, 'hyperfleet.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let sweepId = '';

  it('runs 20 trials two at a time and names a best trial with val_acc ≥ 0.9', async () => {
    const res = await runCli(['run', 'examples/iris/sweep.yaml', '--store', store], { cwd: repoRoot });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/run_cap of 20 trials reached — 20 trials, 0 failed/);
    const best = /best trial (\S+): val_acc=([\d.]+) \(maximize\)/.exec(res.stdout);
    expect(best).not.toBeNull();
    expect(Number(best?.[2])).toBeGreaterThanOrEqual(0.9);
    sweepId = /^sweep (\S+):/m.exec(res.stdout)?.[1] ?? '';
    expect(sweepId).toMatch(/^[0-9a-z]{8}$/);
    expect(existsSync(store)).toBe(true);
  });

  it('ls lists the sweep with its trial count and best metric', async () => {
    const res = await runCli(['ls', '--store', store], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(sweepId);
    expect(res.stdout).toMatch(/random .*finished .*20 .*val_acc=/s);
  });

  it('show --json returns the sweep and its trials ranked best first, with real per-epoch histories', async () => {
    const res = await runCli(['show', sweepId.slice(0, 4), '--json', '--store', store], { cwd: dir });
    expect(res.code).toBe(0);
    const { sweep, trials } = JSON.parse(res.stdout);
    expect(sweep.id).toBe(sweepId);
    expect(trials).toHaveLength(20);
    const values = trials.map((t: { metricValue: number }) => t.metricValue);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(new Set(values).size).toBeGreaterThan(3); // accuracy really depends on the hyperparameters
    for (const t of trials) {
      expect(t.status).toBe('succeeded');
      expect(t.command[0]).toBe(process.execPath);
      expect(t.command).toContain('train.mjs');
    }
  });

  it('show prints a ranked table', async () => {
    const res = await runCli(['show', sweepId, '--store', store], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/status\s+finished — run_cap of 20 trials reached/);
    expect(res.stdout).toMatch(/│\s+1 │ \S+\s+│ succeeded │/);
  });

  it('export --format csv has one row per trial with flattened params', async () => {
    const res = await runCli(['export', sweepId, '--format', 'csv', '--store', store], { cwd: dir });
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'trial_id,index,status,val_acc,duration_s,exit_code,seed,reason,lr,hidden,epochs,batch_size,weight_decay,momentum',
    );
    expect(lines).toHaveLength(21);
    expect(lines[1]).toMatch(new RegExp(`^${sweepId}-\\d+,\\d+,succeeded,`));
  });

  it('export --format json includes per-metric summaries', async () => {
    const res = await runCli(['export', sweepId, '--format', 'json', '--store', store], { cwd: dir });
    const { trials } = JSON.parse(res.stdout);
    const summary = trials[0].summaries.find((s: { key: string }) => s.key === 'val_acc');
    expect(summary.max).toBe(trials[0].metricValue);
    expect(summary.count).toBeGreaterThanOrEqual(10);
  });

  it('export rejects an unknown format with a hint', async () => {
    const res = await runCli(['export', sweepId, '--format', 'xml', '--store', store], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown export format "xml"');
    expect(res.stderr).toContain('use --format csv or --format json');
  });
});
