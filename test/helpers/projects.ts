import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DashboardClientEvents, DashboardServerEvents } from '@hyperfleet/domain';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { Fleet } from './fleet';
import { quadratic } from './sweep-file';

/** A token of a --tokens file: its roles by project. */
export interface TokenGrant {
  name: string;
  token: string;
  projects: Record<string, 'read' | 'submit' | 'promote' | 'admin'>;
}

/** Writes a `hyperfleet server --tokens` file into `dir` and returns its path. */
export function writeTokenFile(dir: string, tokens: TokenGrant[]): string {
  const file = join(dir, 'tokens.json');
  writeFileSync(file, JSON.stringify({ tokens }));
  return file;
}

/** One API call with `token`: the status and the parsed body (null when empty). */
export async function callAs(fleet: Fleet, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${fleet.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Submits a two-trial quadratic grid (parallel 1) into `project` with `token`: the sweep's id. */
export async function submitAs(
  fleet: Fleet,
  token: string,
  project: string,
  sleepMs: number,
  name?: string,
): Promise<string> {
  const config = {
    method: 'grid',
    project,
    program: quadratic,
    metric: { name: 'loss', goal: 'minimize' },
    parallel: 1,
    parameters: { x: { values: [0.1, 0.2] }, sleep_ms: { value: sleepMs } },
  };
  const res = await callAs(fleet, token, 'POST', '/api/sweeps?force=true', { config, cwd: fleet.dir, name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.sweep.id;
}

export type Dash = Socket<DashboardServerEvents, DashboardClientEvents>;

/** A dashboard socket with `token`, once connected (rejects with the server's refusal). */
export function connectDashboard(fleet: Fleet, token: string): Promise<Dash> {
  const socket: Dash = io(fleet.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}
