import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli';
import { waitFor } from '../helpers/fleet';
import { CHROMIUM, hasChromium, launch, requireBuild, screenshot, waitForText, watchedPage } from './browser';

// The web UI in a real browser (Debian's chromium through playwright-core) against `hyperfleet run
// --dashboard`: the real CLI, the in-process scheduler, real trial processes, hyperband early stopping.
const fixture = join(import.meta.dirname, 'fixtures', 'curve-trial.mjs');

if (!hasChromium)
  console.warn(`dashboard browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);

const rowIds = (page: Page) =>
  page.$$eval('tr[data-trial]', (trs) => trs.map((t) => t.getAttribute('data-trial') ?? ''));

describe.skipIf(!hasChromium)('dashboard in a browser (embedded: hyperfleet run --dashboard)', () => {
  let dir: string;
  let cli: ReturnType<typeof startCli>;
  let sweepUrl: string;
  let commit: string;
  let browser: Browser;
  let ctx: BrowserContext;

  beforeAll(async () => {
    requireBuild();
    dir = tempDir('hf-dash-');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
    git('init', '-q');
    copyFileSync(fixture, join(dir, 'curve-trial.mjs'));
    writeFileSync(join(dir, '.gitignore'), '.hyperfleet/\nhf.db*\n');
    writeFileSync(
      join(dir, 'sweep.yaml'),
      [
        'name: dashboard-e2e',
        'program: curve-trial.mjs',
        'method: random',
        'metric: {name: loss, goal: minimize}',
        'run_cap: 500', // more than the tests need: the run is interrupted in afterAll
        'parallel: 3',
        'early_terminate: {type: hyperband, min_iter: 3, eta: 2}',
        'parameters:',
        '  x: {min: 0.0, max: 1.0}',
        '  opt: {values: [sgd, adam]}',
        '  steps: {value: 150}',
        '  sleep_ms: {value: 100}',
        '',
      ].join('\n'),
    );
    git('add', '-A');
    git('commit', '-qm', 'sweep');
    commit = git('rev-parse', 'HEAD').trim();
    cli = startCli(['run', 'sweep.yaml', '--dashboard', '0', '--store', join(dir, 'hf.db')], { cwd: dir });
    let stdout = '';
    cli.child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    sweepUrl = await waitFor('the dashboard URL', async () => /^dashboard: (http\S+)/m.exec(stdout)?.[1], 30_000);
    browser = await launch();
    ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  });

  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    cli?.child.kill('SIGINT');
    await Promise.race([cli?.result, new Promise((r) => setTimeout(r, 15_000))]);
    cli?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('ranks the trials live as they report, with no reload', async () => {
    const { page, errors } = await watchedPage(ctx);
    await page.goto(sweepUrl);
    await page.waitForSelector('tr[data-trial]');
    await page.waitForSelector('#curves .uplot');
    await page.evaluate('window.__e2eMarker = 42');
    const first = await rowIds(page);
    const bestColumn = () => page.$$eval('tr[data-trial] td:nth-child(8)', (tds) => tds.map((t) => t.textContent));
    const firstBest = await bestColumn();
    // Rows can move before any best value does (a trial starting): wait for both the order and the values.
    const changed = await waitFor(
      'the ranking to change',
      async () => {
        const now = await rowIds(page);
        const best = await bestColumn();
        return now.length > 0 && now.join() !== first.join() && best.join() !== firstBest.join() ? now : null;
      },
      45_000,
    );
    expect(changed).not.toEqual(first);
    expect(await bestColumn()).not.toEqual(firstBest);
    // Same document: the marker survived and there was exactly one navigation.
    expect(await page.evaluate('window.__e2eMarker')).toBe(42);
    expect(await page.evaluate('performance.getEntriesByType("navigation").length')).toBe(1);
    // The best trial is first: its best loss is the lowest of those shown.
    const bests = (await page.$$eval('tr[data-trial] td:nth-child(8)', (tds) => tds.map((t) => t.textContent ?? '')))
      .filter((t) => t !== '')
      .map(Number);
    expect(bests[0]).toBe(Math.min(...bests));
    await screenshot(page, 'sweep-live');
    expect(errors()).toEqual([]);
    await page.close();
  });

  it('keeps the view in the URL: sort, log scale and top k survive a reload', async () => {
    const { page, errors } = await watchedPage(ctx);
    await page.goto(sweepUrl);
    await page.waitForSelector('#curves .uplot');
    await page.click('#log-scale');
    await page.selectOption('#top-k', '5');
    await page.click('th[data-col="param:x"] button');
    await page.click('th[data-col="param:x"] button'); // twice: descending
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ sort: 'param:x', dir: 'desc', top: '5', log: '1' });
    const xs = async () =>
      (await page.$$eval('tr[data-trial] td:nth-child(4)', (tds) => tds.map((t) => t.textContent ?? '')))
        .filter((t) => t !== '')
        .map(Number);
    await waitFor('rows sorted by x, descending', async () => {
      const v = await xs();
      return v.length > 1 && v.every((x, i) => i === 0 || x <= v[i - 1]!);
    });
    await page.reload();
    await page.waitForSelector('#curves .uplot');
    expect(await page.isChecked('#log-scale')).toBe(true);
    expect(await page.inputValue('#top-k')).toBe('5');
    expect(await page.getAttribute('th[data-col="param:x"]', 'aria-sort')).toBe('descending');
    await screenshot(page, 'sweep-log-top5-sorted');
    expect(errors()).toEqual([]);
    await page.close();
  });

  it('keeps a zoom on the learning curves while points stream in and the curves change; a double-click zooms out', async () => {
    const { page, errors } = await watchedPage(ctx);
    await page.goto(sweepUrl);
    await page.waitForSelector('#curves .u-over');
    type Range = [number, number] | null;
    const range = async () => (await page.evaluate('window.__hyperfleet.curvesXRange()')) as Range;
    await waitFor('curves with some steps', async () => ((await range())?.[1] ?? 0) >= 8);
    // More trials than the top 5, so that choosing top 5 below changes the set of curves.
    await waitFor(
      'six trials with points',
      async () => ((await page.evaluate('window.__hyperfleet.curves().length')) as number) > 5,
    );
    // A rebuilt chart must never leave the card blank, not even for one frame.
    await page.evaluate(`{
      const chart = document.querySelector('#curves .chart');
      window.blankChart = 0;
      new MutationObserver(() => { if (!chart.querySelector('.uplot')) window.blankChart++; })
        .observe(chart, { childList: true });
    }`);
    const box = (await (await page.$('#curves .u-over'))!.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
    // The set of curves changes around the drag (as when the top k re-ranks): the chart is rebuilt.
    await page.selectOption('#top-k', '5');
    await page.mouse.up();
    const zoomed = (await range())!;
    expect(zoomed[0]).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500)); // live points keep arriving
    expect(await range()).toEqual(zoomed);
    await page.dblclick('#curves .u-over');
    await waitFor('the full range again', async () => ((await range())?.[0] ?? 1) === 0);
    expect(await page.evaluate('window.blankChart')).toBe(0);
    expect(errors()).toEqual([]);
    await page.close();
  });

  it('shows a trial stopped early with its reason, in the table, the rungs and the trial page', async () => {
    const { page, errors } = await watchedPage(ctx);
    await page.goto(sweepUrl);
    await page.waitForSelector('tr[data-status="stopped"] td.reason', { timeout: 45_000 });
    const reason = await page.textContent('tr[data-status="stopped"] td.reason');
    expect(reason).toMatch(/hyperband/);
    await page.selectOption('#state-filter', 'stopped');
    await waitFor('only stopped rows', async () => {
      const states = await page.$$eval('tr[data-trial]', (trs) => trs.map((t) => t.getAttribute('data-status')));
      return states.length > 0 && states.every((s) => s === 'stopped');
    });
    expect(page.url()).toContain('state=stopped');
    expect(await page.textContent('#rungs')).toMatch(/stopped early/);
    await screenshot(page, 'sweep-stopped-filter');
    const id = (await page.getAttribute('tr[data-status="stopped"]', 'data-trial'))!;
    await page.click(`tr[data-trial="${id}"] td.reason`);
    await page.waitForURL(`**/trials/${id}`);
    await page.waitForSelector('#trial-reason');
    expect(await page.textContent('#trial-reason')).toMatch(/Stopped early: hyperband/);
    await screenshot(page, 'trial-stopped');
    expect(errors()).toEqual([]);
    await page.close();
  });

  it('moves the early-stopping rungs live: trials reaching a rung or stopped there count without a reload', async () => {
    const { page, errors } = await watchedPage(ctx);
    await page.goto(sweepUrl);
    // Trials that got to the first rung: its survivors and those stopped there.
    const reachedFirstRung = () =>
      page.$$eval('#rungs tbody tr:first-child td.num', (tds) =>
        tds.length >= 5 ? Number(tds[3]?.textContent) + Number(tds[4]?.textContent) : -1,
      );
    await page.waitForSelector('#rungs tbody tr', { timeout: 30_000 });
    const before = await reachedFirstRung();
    await waitFor(
      'more trials at the first rung, with no reload',
      async () => (await reachedFirstRung()) > before,
      30_000,
    );
    expect(errors()).toEqual([]);
    await page.close();
  });

  it('opens a trial from the keyboard and shows params, lineage, the reproduce command, curves and the log', async () => {
    const { page, errors } = await watchedPage(ctx);
    await page.goto(sweepUrl);
    await page.waitForSelector('tr[data-trial]');
    await page.focus('tr[data-trial]');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate('document.activeElement?.getAttribute("data-trial")');
    expect(typeof focused).toBe('string');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/trials/${focused}`);
    await page.waitForSelector('#lineage');
    const lineage = (await page.textContent('#lineage')) ?? '';
    expect(lineage).toContain(commit);
    expect(lineage).toMatch(/clean tree/);
    expect(await page.textContent('#reproduce')).toBe(`hyperfleet reproduce ${focused}`);
    expect(await page.textContent('#params')).toMatch(/x[\s\S]*opt/);
    await page.waitForSelector('#metrics .uplot');
    // The program's own output, not only the agent's header line, streams into the embedded log tail.
    await waitFor('the log tail', async () => /epoch \d+: loss/.test((await page.textContent('#log-tail')) ?? ''));
    await screenshot(page, 'trial-light');
    await page.click('#theme-toggle');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await screenshot(page, 'trial-dark');
    await page.click('#theme-toggle');
    expect(errors()).toEqual([]);
    await page.close();
  });

  it('lists the sweep on / and follows its link', async () => {
    const { page, errors } = await watchedPage(ctx);
    const root = new URL('/', sweepUrl).href;
    await page.goto(root);
    await page.waitForSelector('tr[data-sweep]');
    expect(await page.textContent('tr[data-sweep]')).toContain('dashboard-e2e');
    await screenshot(page, 'sweeps-list');
    await page.click('tr[data-sweep] a');
    await page.waitForURL(sweepUrl);
    await page.waitForSelector('tr[data-trial]');
    expect(errors()).toEqual([]);
    await page.close();
  });
  it('follows prefers-color-scheme until the toggle picks a theme, which then sticks', async () => {
    const dark = await browser.newContext({ colorScheme: 'dark' });
    const { page, errors } = await watchedPage(dark);
    await page.goto(sweepUrl);
    await page.waitForSelector('tr[data-trial]');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await screenshot(page, 'sweep-dark');
    await page.click('#theme-toggle');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    await page.reload();
    await page.waitForSelector('tr[data-trial]');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    expect(errors()).toEqual([]);
    await dark.close();
  });

  it('stops one running trial from its page, behind a confirmation, and shows why it stopped', async () => {
    const { page, errors } = await watchedPage(ctx);
    // The running trial that has reported least (most time left), on its page with the button enabled; a
    // trial can end on its own meanwhile, so try a few.
    const pick = async (): Promise<string | null> => {
      await page.goto(sweepUrl);
      await page.waitForSelector('tr[data-status="running"]', { timeout: 30_000 });
      await page.selectOption('#state-filter', 'running');
      await page.click('th[data-col="step"] button');
      const id = (await page.getAttribute('tr[data-status="running"]', 'data-trial'))!;
      await page.goto(new URL(`/trials/${id}`, sweepUrl).href);
      await page.waitForSelector('#trial-status');
      return (await page.isEnabled('button[data-action="stop-trial"]')) ? id : null;
    };
    let id: string | null = null;
    for (let tries = 0; tries < 3 && id === null; tries++) id = await pick();
    expect(id).not.toBeNull();
    await page.click('button[data-action="stop-trial"]');
    await page.click('dialog[open] button[value="ok"]');
    await waitForText(page, '#trial-status', (t) => t !== 'running');
    expect(await page.textContent('#trial-status')).toBe('stopped');
    expect(await page.textContent('#trial-reason')).toMatch(/stopped from the dashboard/);
    expect(await page.isDisabled('button[data-action="stop-trial"]')).toBe(true);
    expect(errors()).toEqual([]);
    await page.close();
  });

  // Last: if pausing went wrong, the sweep may have ended and the dashboard with it.
  it('pauses and resumes the sweep behind a confirmation dialog', async () => {
    const { page, errors } = await watchedPage(ctx);
    await page.goto(sweepUrl);
    await page.waitForSelector('#sweep-status');
    if ((await page.textContent('#sweep-status')) !== 'running') return; // the sweep ended already: nothing to pause
    await page.click('button[data-action="pause"]');
    await page.waitForSelector('dialog[open]');
    await screenshot(page, 'confirm-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog', { state: 'detached' });
    expect(await page.textContent('#sweep-status')).toBe('running');
    await page.click('button[data-action="pause"]');
    await page.click('dialog[open] button[value="ok"]');
    // Whatever state comes next must be "paused" (a wrong control would show "cancelled" or "finished").
    await waitForText(page, '#sweep-status', (t) => t !== 'running');
    expect(await page.textContent('#sweep-status')).toBe('paused');
    await page.click('button[data-action="resume"]');
    await page.click('dialog[open] button[value="ok"]');
    await waitForText(page, '#sweep-status', (t) => t === 'running');
    expect(errors()).toEqual([]);
    await page.close();
  });
});
