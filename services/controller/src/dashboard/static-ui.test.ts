import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { staticUi } from './static-ui';

let dir: string;
let server: Server | null = null;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

/** The UI router in front of an "API" that answers /api/ping and 404s everything else as JSON. */
async function serve(staticDir: string): Promise<string> {
  const app = express();
  app.get('/api/ping', (_req, res) => {
    res.json({ pong: true });
  });
  app.use(staticUi(staticDir));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND' } });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server?.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('static UI', () => {
  it('serves the build, index.html for UI routes, and never shadows the API', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-ui-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    const url = await serve(dir);
    for (const path of ['/', '/sweeps/abc123', '/trials/abc123-4', '/sweeps/abc?sort=best']) {
      const res = await fetch(url + path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<title>ui</title>');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    const asset = await fetch(`${url}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect(await (await fetch(`${url}/api/ping`)).json()).toEqual({ pong: true });
    const api404 = await fetch(`${url}/api/nope`);
    expect(api404.status).toBe(404);
    expect(await api404.json()).toEqual({ error: { code: 'NOT_FOUND' } });
    expect((await fetch(`${url}/sweeps/x`, { method: 'POST' })).status).toBe(404);
  });

  it('without a build: says how to make one (HTML to browsers, JSON otherwise)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-ui-'));
    const url = await serve(join(dir, 'dist'));
    const page = await fetch(`${url}/sweeps/abc`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('dashboard not built: run npm run build -w @hyperfleet/dashboard');
    const json = await fetch(`${url}/`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(503);
    expect(await json.json()).toMatchObject({ error: { code: 'DASHBOARD_NOT_BUILT' } });
    expect((await fetch(`${url}/api/nope`)).status).toBe(404);
    // Built while the server runs: served without a restart.
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>later</title>');
    expect(await (await fetch(`${url}/sweeps/abc`)).text()).toContain('later');
  });
});
