import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DashboardServer, startDashboardServer } from '@hyperfleet/controller';
import { type MetricPoint, requireValidConfig, validateSweepConfig } from '@hyperfleet/domain';
import { openSqliteStore } from '@hyperfleet/store';
import { createInProcessTransport } from '@hyperfleet/transport';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli';
import { waitFor } from '../helpers/fleet';
import { hasChromium, launch, requireBuild, screenshot, waitForText, watchedPage } from './browser';

// A big sweep (seeded into the store, served by the real dashboard server and gateway): the table keeps only
// the rows in view in the DOM, scrolls and moves by keyboard through all of them, and re-ranks on live points.
const TRIALS = 400;
const STEPS = 200;
const SWEEP = 'bigsweep';

describe.skipIf(!hasChromium)('dashboard in a browser: a 400-trial sweep', () => {
  let dir: string;
  let store: Awaited<ReturnType<typeof openSqliteStore>>;
  let transport: ReturnType<typeof createInProcessTransport>;
  let server: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    requireBuild();
    dir = tempDir('hf-dash-big-');
    store = await openSqliteStore(join(dir, 'hf.db'));
    const config = requireValidConfig(
      validateSweepConfig({
        method: 'random',
        program: 'train.py',
        metric: { name: 'loss', goal: 'minimize' },
        run_cap: TRIALS,
        parameters: { lr: { distribution: 'log_uniform_values', min: 1e-4, max: 1 }, opt: { values: ['sgd', 'adam'] } },
      }),
    );
    const t0 = Date.now() - 600_000;
    await store.createSweep({
      ...{ id: SWEEP, name: 'big', status: 'running', method: 'random', metricName: 'loss', goal: 'minimize' },
      ...{ config, seed: 1, createdAt: t0, finishedAt: null, reason: null },
    });
    for (let i = 0; i < TRIALS; i++) {
      const id = `${SWEEP}-${i}`;
      const floor = 0.1 + i / TRIALS; // trial 0 is the best, trial 399 the worst
      const points: MetricPoint[] = [];
      for (let step = 0; step < STEPS; step++)
        points.push({ trialId: id, key: 'loss', step, value: floor + 1 / (step + 1), timestamp: t0 + step });
      await store.createTrial({
        ...{ id, sweepId: SWEEP, index: i, status: i === TRIALS - 1 ? 'running' : 'succeeded' },
        ...{ params: { lr: 10 ** (-4 + (4 * i) / TRIALS), opt: i % 2 ? 'adam' : 'sgd' }, seed: i, command: null },
        ...{ createdAt: t0 + i, startedAt: t0 + i, endedAt: i === TRIALS - 1 ? null : t0 + i + 60_000 },
        ...{ exitCode: null, signal: null, reason: null, metricValue: floor + 1 / STEPS, attempts: 1 },
      });
      await store.writeMetrics(points);
    }
    transport = createInProcessTransport();
    server = await startDashboardServer({ store, logs: transport.logs, port: 0 });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await transport?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps only the visible rows in the DOM, reaches every row by scroll and keyboard, re-ranks live', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const { page, errors } = await watchedPage(ctx);
    await page.goto(`${server.url}/sweeps/${SWEEP}`);
    await page.waitForSelector('#curves .uplot');
    await waitForText(page, '.trial-table .toolbar', (t) => t?.includes(`${TRIALS} trials`) ?? false, 30_000);
    const domRows = async () => page.$$eval('tr[data-trial]', (trs) => trs.length);
    expect(await domRows()).toBeLessThan(60);
    expect(await page.getAttribute('tr[data-trial]', 'data-trial')).toBe(`${SWEEP}-0`);

    // Scrolled to the end: the last-ranked trial is rendered, still with few rows in the DOM.
    await page.evaluate(`document.querySelector('.table-scroll').scrollTop = 1e9`);
    await page.waitForSelector(`tr[data-trial="${SWEEP}-${TRIALS - 1}"]`);
    expect(await domRows()).toBeLessThan(60);

    // Keyboard: Home from there goes back to the first row, focused.
    await page.focus(`tr[data-trial="${SWEEP}-${TRIALS - 1}"]`);
    await page.keyboard.press('Home');
    await waitFor('focus on the first row', async () =>
      (await page.evaluate('document.activeElement?.getAttribute("data-trial")')) === `${SWEEP}-0` ? true : null,
    );

    // The worst trial, still running, reports a loss better than everyone's: it goes to the top without a reload.
    const last = `${SWEEP}-${TRIALS - 1}`;
    server.hooks.onMetrics?.(SWEEP, [{ trialId: last, key: 'loss', step: STEPS, value: 0.01, timestamp: Date.now() }]);
    await waitFor('the running trial to rank first', async () =>
      (await page.getAttribute('tr[data-trial]', 'data-trial')) === last ? true : null,
    );
    expect(await page.textContent(`tr[data-trial="${last}"] td:first-child`)).toBe('1');
    await screenshot(page, 'big-sweep');
    expect(errors()).toEqual([]);
    await ctx.close();
  });
});
