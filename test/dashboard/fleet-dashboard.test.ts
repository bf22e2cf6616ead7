import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli';
import { ADMIN, Fleet, waitFor } from '../helpers/fleet';
import { hasChromium, launch, requireBuild, screenshot, waitForText, watchedPage } from './browser';

// The dashboard as `hyperfleet server` serves it: tokens, a real agent, logs streamed from the agent.
const fixture = join(import.meta.dirname, 'fixtures', 'curve-trial.mjs');
const READER = 'dashboard-read-only-token';

describe.skipIf(!hasChromium)('dashboard in a browser (fleet: hyperfleet server + agent, with tokens)', () => {
  let dir: string;
  let fleet: Fleet;
  let browser: Browser;
  let sweepId: string;

  beforeAll(async () => {
    requireBuild();
    dir = tempDir('hf-dash-fleet-');
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify({ tokens: [{ name: 'viewer', token: READER, projects: { '*': 'read' } }] }));
    fleet = new Fleet(dir, undefined, { serverArgs: ['--tokens', tokens] });
    await fleet.start();
    fleet.startAgent('a', 2);
    await waitFor('the agent', async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 1);
    sweepId = await fleet.submit({
      name: 'dashboard-fleet-e2e',
      method: 'random',
      program: fixture,
      metric: { name: 'loss', goal: 'minimize' },
      run_cap: 4,
      parallel: 2,
      parameters: { x: { min: 0, max: 1 }, steps: { value: 200 }, sleep_ms: { value: 100 } },
    });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the socket without a token and says how to get in', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${fleet.url}/sweeps/${sweepId}`);
    await page.waitForSelector('#access-problem');
    expect(await page.textContent('#access-problem')).toMatch(/needs a token[\s\S]*\?token=/);
    expect(await page.$('tr[data-trial]')).toBeNull();
    // A wrong token: said so, with a way to drop it.
    await page.goto(`${fleet.url}/sweeps/${sweepId}?token=not-a-token`);
    await page.waitForSelector('#access-problem');
    expect(await page.textContent('#access-problem')).toMatch(/not valid for this server/);
    expect(page.url()).not.toContain('not-a-token');
    await ctx.close();
  });

  it('takes the token from the link once, then streams the trial log tail live', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const { page, errors } = await watchedPage(ctx);
    await page.goto(`${fleet.url}/sweeps/${sweepId}?token=${ADMIN}`);
    await page.waitForSelector('tr[data-status="running"]', { timeout: 60_000 });
    // The token left the address bar (shared URLs and history never carry it) and lives in sessionStorage.
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate('sessionStorage.length')).toBe(1);
    const id = (await page.getAttribute('tr[data-status="running"]', 'data-trial'))!;
    await page.click(`tr[data-trial="${id}"] a`);
    await page.waitForURL(`**/trials/${id}`);
    const tail = async () => (await page.textContent('#log-tail')) ?? '';
    await waitFor('epoch lines in the log tail', async () => (await tail()).includes('epoch'), 30_000);
    const before = (await tail()).length;
    await waitFor('the log tail to grow without a reload', async () => (await tail()).length > before, 15_000);
    expect(await tail()).toMatch(/epoch \d+: loss/);
    await page.waitForSelector('#metrics .uplot');
    // A reload keeps access: the token is in sessionStorage.
    await page.reload();
    await page.waitForSelector('#log-tail');
    await screenshot(page, 'fleet-trial-log');
    expect(errors()).toEqual([]);
    await ctx.close();
  });

  it('pauses and resumes the sweep through the API with the same token, behind a confirmation', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const { page, errors } = await watchedPage(ctx);
    await page.goto(`${fleet.url}/sweeps/${sweepId}?token=${ADMIN}`);
    await page.waitForSelector('#sweep-status');
    expect(await page.textContent('#sweep-status')).toBe('running');
    await page.click('button[data-action="pause"]');
    await page.click('dialog[open] button[value="ok"]');
    await waitForText(page, '#sweep-status', (t) => t !== 'running');
    expect(await page.textContent('#sweep-status')).toBe('paused');
    expect((await fleet.sweep(sweepId)).sweep.status).toBe('paused');
    await page.click('button[data-action="resume"]');
    await page.click('dialog[open] button[value="ok"]');
    await waitForText(page, '#sweep-status', (t) => t === 'running');
    expect(errors()).toEqual([]);
    await ctx.close();
  });

  it('shows a read-only token the controls disabled, saying why, instead of a 403 after the click', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const { page, errors } = await watchedPage(ctx);
    await page.goto(`${fleet.url}/sweeps/${sweepId}?token=${READER}`);
    await page.waitForSelector('#sweep-status');
    // The title appears once GET /api/me has answered (before that every control is disabled, without it).
    await page.waitForSelector('button[data-action="pause"][title*="may only read"]');
    for (const action of ['pause', 'resume', 'stop', 'cancel']) {
      expect(await page.isDisabled(`button[data-action="${action}"]`)).toBe(true);
      expect(await page.getAttribute(`button[data-action="${action}"]`, 'title')).toBe(
        'your token (viewer) may only read project default',
      );
    }
    const id = (await page.getAttribute('tr[data-trial]', 'data-trial'))!;
    await page.goto(`${fleet.url}/trials/${id}`);
    await page.waitForSelector('button[data-action="stop-trial"][title*="may only read"]');
    expect(await page.isDisabled('button[data-action="stop-trial"]')).toBe(true);
    await page.goto(`${fleet.url}/`);
    await page.waitForSelector(`tr[data-sweep="${sweepId}"]`);
    expect(await page.textContent(`tr[data-sweep="${sweepId}"] td.project`)).toBe('default');
    expect(errors()).toEqual([]);
    await ctx.close();
  });
});
