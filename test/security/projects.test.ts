import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ack, SweepSummaryView } from '@hyperfleet/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';
import { ADMIN, Fleet, waitFor } from '../helpers/fleet';
import { callAs, connectDashboard, type Dash, submitAs, writeTokenFile } from '../helpers/projects';
import { quadratic } from '../helpers/sweep-file';

// Issue 17, item 1, attacked as a second team would: a real `hyperfleet server` (Postgres, Redis) and agent, tokens
// with roles per project from a --tokens file, and tokens minted with `hyperfleet token create`.
const T = {
  alice: 'team-a-submit-secret-0001', // submit on team-a
  bob: 'team-b-submit-secret-0002', // submit on team-b
  auditor: 'team-a-read-secret-0003', // read on team-a
  release: 'team-a-promote-secret-0004', // promote on team-a
  lead: 'team-a-admin-secret-0005', // admin on team-a
};

let dir: string;
let fleet: Fleet;
let sweepA: string;
let sweepB: string;
let trialA: string;

const call = (token: string, method: string, path: string, body?: unknown) => callAs(fleet, token, method, path, body);
const submit = (token: string, project: string, sleepMs: number) => submitAs(fleet, token, project, sleepMs);

/** `hyperfleet …` against the server with this token: never --store, no database URL in reach. */
function cli(token: string, args: string[]) {
  return runCli([...args, '--server', fleet.url, '--token', token], {
    cwd: dir,
    env: { HYPERFLEET_SERVER: '', HYPERFLEET_TOKEN: '', HYPERFLEET_STORE: '' },
  });
}

const connect = (token: string) => connectDashboard(fleet, token);

/** A join or watch, answered with its ack: the data, or the refusal's code. */
function ask<T>(
  socket: Dash,
  event: string,
  ...args: unknown[]
): Promise<{ ok: true; data: T } | { ok: false; code: string }> {
  return new Promise((resolve) => {
    const ack: Ack<T> = (r) => resolve(r.ok ? r : { ok: false, code: r.error.code });
    (socket.emit as (ev: string, ...a: unknown[]) => void)(event, ...args, ack);
  });
}

beforeAll(async () => {
  dir = tempDir('hf-projects-');
  const tokens = writeTokenFile(dir, [
    { name: 'alice-ci', token: T.alice, projects: { 'team-a': 'submit' } },
    { name: 'bob-ci', token: T.bob, projects: { 'team-b': 'submit' } },
    { name: 'auditor-a', token: T.auditor, projects: { 'team-a': 'read' } },
    { name: 'release-a', token: T.release, projects: { 'team-a': 'promote' } },
    { name: 'lead-a', token: T.lead, projects: { 'team-a': 'admin' } },
  ]);
  fleet = new Fleet(dir, undefined, { serverArgs: ['--tokens', tokens] });
  await fleet.start();
  fleet.startAgent('a', 2);
  // A's first trial keeps running for the whole file; its second waits in the queue.
  sweepA = await submit(T.alice, 'team-a', 600_000);
  sweepB = await submit(T.bob, 'team-b', 0);
  trialA = await waitFor('team A’s trial to run', async () => {
    const { body } = await call(T.alice, 'GET', `/api/sweeps/${sweepA}`);
    return body.trials.find((t: { status: string }) => t.status === 'running')?.id as string | undefined;
  });
});

afterAll(async () => {
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('projects: what another team sees and may do', () => {
  it("team B's token finds nothing of team A: 404 for A's sweep (id or prefix), trials, logs, metrics, lineage, controls", async () => {
    const missing = await call(T.bob, 'GET', '/api/sweeps/no-such-sweep');
    expect(missing.status).toBe(404);
    const hidden = [
      ['GET', `/api/sweeps/${sweepA}`],
      ['GET', `/api/sweeps/${sweepA.slice(0, 8)}`],
      ['POST', `/api/sweeps/${sweepA}/cancel`],
      ['POST', `/api/sweeps/${sweepA}/pause`],
      ['GET', `/api/trials/${trialA}`],
      ['POST', `/api/trials/${trialA}/stop`],
      ['GET', `/api/trials/${trialA}/logs`],
      ['GET', `/api/trials/${trialA}/metrics`],
      ['GET', `/api/trials/${trialA}/lineage`],
      ['POST', `/api/trials/${trialA}/reproduce`],
    ] as const;
    for (const [method, path] of hidden) {
      const res = await call(T.bob, method, path, method === 'POST' ? {} : undefined);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 404, 'NOT_FOUND']);
      // Said as for an id that does not exist: nothing tells B that A's sweep is there.
      expect(JSON.stringify(res.body)).not.toMatch(/team-a|project|role/);
    }
    // The cancel did nothing: A's sweep and trial still run.
    const a = await call(T.alice, 'GET', `/api/sweeps/${sweepA}`);
    expect(a.body.sweep.status).toBe('running');
    expect(a.body.trials.find((t: { id: string }) => t.id === trialA).status).toBe('running');
  });

  it('lists only what the token reads: sweeps, agents’ running trials, audit', async () => {
    const ids = async (token: string) =>
      (await call(token, 'GET', '/api/sweeps')).body.sweeps.map((s: { id: string; project: string }) => [
        s.id,
        s.project,
      ]);
    expect(await ids(T.bob)).toEqual([[sweepB, 'team-b']]);
    expect(await ids(T.alice)).toEqual([[sweepA, 'team-a']]);
    expect((await ids(ADMIN)).map(([id]: string[]) => id).sort()).toEqual([sweepA, sweepB].sort());

    const running = async (token: string) =>
      (await call(token, 'GET', '/api/agents')).body.agents.flatMap((a: { running: { trialId: string }[] }) =>
        a.running.map((r) => r.trialId),
      );
    // The agent reports what it runs with its next heartbeat.
    await waitFor('the agent to report A’s trial', async () => (await running(T.alice)).includes(trialA));
    expect(await running(T.bob)).not.toContain(trialA);

    const audit = await call(T.bob, 'GET', '/api/audit');
    expect(audit.status).toBe(200);
    expect(audit.body.events.map((e: { sweepId: string | null }) => e.sweepId)).not.toContain(sweepA);
    expect(audit.body.events.map((e: { sweepId: string | null }) => e.sweepId)).toContain(sweepB);
  });

  it('refuses to submit into a project the token has no role on, and read-only tokens any mutation (403)', async () => {
    const config = { method: 'grid', project: 'team-a', program: quadratic, parameters: { x: { value: 1 } } };
    const intoA = await call(T.bob, 'POST', '/api/sweeps?force=true', { config, cwd: dir });
    expect([intoA.status, intoA.body.error.code]).toEqual([403, 'FORBIDDEN']);

    // The auditor reads team-a…
    expect((await call(T.auditor, 'GET', `/api/sweeps/${sweepA}`)).status).toBe(200);
    expect((await call(T.auditor, 'GET', `/api/trials/${trialA}/logs`)).status).toBe(200);
    // …and may change nothing there.
    for (const [method, path] of [
      ['POST', `/api/sweeps/${sweepA}/cancel`],
      ['POST', `/api/sweeps/${sweepA}/pause`],
      ['POST', `/api/trials/${trialA}/stop`],
      ['POST', `/api/trials/${trialA}/reproduce`],
      ['POST', '/api/sweeps?force=true'],
    ] as const) {
      const res = await call(T.auditor, method, path, { config, cwd: dir });
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'FORBIDDEN']);
    }
    expect((await call(T.alice, 'GET', `/api/sweeps/${sweepA}`)).body.sweep.status).toBe('running');
  });

  it("refuses team B's socket A's rooms, and sends A's list updates only to sockets that read team-a", async () => {
    const bob = await connect(T.bob);
    const alice = await connect(T.alice);
    try {
      const bobList = await ask<SweepSummaryView[]>(bob, 'sweeps:watch');
      expect(bobList.ok && bobList.data.map((s) => s.id)).toEqual([sweepB]);
      expect(await ask(bob, 'sweep:join', { sweepId: sweepA })).toEqual({ ok: false, code: 'NOT_FOUND' });
      expect(await ask(bob, 'trial:join', { trialId: trialA })).toEqual({ ok: false, code: 'NOT_FOUND' });
      expect((await ask(alice, 'sweep:join', { sweepId: sweepA })).ok).toBe(true);
      expect((await ask(alice, 'sweeps:watch')).ok).toBe(true);

      const bobSaw: string[] = [];
      bob.on('sweeps:update', (s) => bobSaw.push(s.id));
      bob.on('sweep:update', (s) => bobSaw.push(s.id));
      bob.on('trial:update', (t) => bobSaw.push(t.sweepId));
      const aliceSaw = new Promise<SweepSummaryView>((resolve) =>
        alice.on('sweeps:update', (s) => s.id === sweepA && s.status === 'paused' && resolve(s)),
      );
      expect((await call(T.alice, 'POST', `/api/sweeps/${sweepA}/pause`)).status).toBe(200);
      await aliceSaw;
      // One more round trip on B's socket: anything sent to it with Alice's update has arrived before this ack.
      await ask(bob, 'sweeps:watch');
      expect(bobSaw).not.toContain(sweepA);
      expect((await call(T.alice, 'POST', `/api/sweeps/${sweepA}/resume`)).status).toBe(200);
    } finally {
      bob.close();
      alice.close();
    }
  });

  it('the audit actor is the token’s name, read through the API with `hyperfleet audit` (no --store)', async () => {
    const out = await cli(T.auditor, ['audit', '--sweep', sweepA]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/alice-ci\s+sweep\.submitted/);
    expect(out.stdout).toMatch(/alice-ci\s+sweep\.pause_requested/);
    expect(out.stdout).toMatch(/alice-ci\s+sweep\.resume_requested/);
    expect(out.stdout).not.toMatch(/root@|local/);
    const json = await cli(T.bob, ['audit', '--sweep', sweepA, '--json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });
});

describe('stored tokens through the CLI', () => {
  it('create prints the token once, ls shows no secret, revoke and expiry make it 401', async () => {
    const created = await cli(T.lead, [
      'token',
      'create',
      '--project',
      'team-a',
      '--role',
      'read',
      '--name',
      'ci-reader',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^hf_\S{40,}$/);
    expect(created.stderr).toMatch(/ci-reader \(read on team-a\)/);

    expect((await call(secret, 'GET', `/api/sweeps/${sweepA}`)).status).toBe(200);
    expect((await call(secret, 'GET', `/api/sweeps/${sweepB}`)).status).toBe(404);
    expect((await call(secret, 'POST', `/api/sweeps/${sweepA}/pause`)).status).toBe(403);

    const ls = await cli(T.lead, ['token', 'ls', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    const listed = JSON.parse(ls.stdout).tokens as Record<string, unknown>[];
    expect(listed.map((t) => [t.name, t.project, t.role, t.createdBy])).toEqual([
      ['ci-reader', 'team-a', 'read', 'lead-a'],
    ]);
    expect(ls.stdout).not.toContain(secret);
    expect(Object.keys(listed[0] ?? {})).not.toContain('sha256');
    // Team B's tokens and a team-a submitter see none of them, and may mint none.
    expect(JSON.parse((await cli(T.alice, ['token', 'ls', '--json'])).stdout).tokens).toEqual([]);
    const otherTeam = await cli(T.lead, ['token', 'create', '--project', 'team-b', '--role', 'admin']);
    expect(otherTeam.code).not.toBe(0);
    expect(otherTeam.stderr).toMatch(/needs the admin role/);
    expect((await cli(T.bob, ['token', 'revoke', 'ci-reader'])).stderr).toMatch(/no token ci-reader/);

    // A socket opened before the revocation watches A's sweep…
    const open = await connect(secret);
    expect((await ask(open, 'sweep:join', { sweepId: sweepA })).ok).toBe(true);
    const dropped = new Promise<string>((resolve) => open.on('disconnect', resolve));
    const revoked = await cli(T.lead, ['token', 'revoke', 'ci-reader']);
    expect(revoked.code, revoked.stderr).toBe(0);
    // …and is dropped by the server once the token is refused.
    expect(await dropped).toBe('io server disconnect');
    const refused = await call(secret, 'GET', `/api/sweeps/${sweepA}`);
    expect([refused.status, refused.body.error.message]).toEqual([401, 'the token has been revoked']);
    const sock = await connect(secret).catch((err: Error & { data?: { code?: string } }) => err.data?.code);
    expect(sock).toBe('BAD_TOKEN');

    const short = await cli(T.lead, ['token', 'create', '--project', 'team-a', '--role', 'read', '--expires', '1s']);
    expect(short.code, short.stderr).toBe(0);
    const expiring = short.stdout.trim();
    const expired = await waitFor('the token to expire', async () => {
      const res = await call(expiring, 'GET', '/api/sweeps');
      return res.status === 401 ? res : null;
    });
    expect(expired.body.error.message).toBe('the token has expired');

    // Minting and revoking are in the audit log, by the token that did them; no secret in the server's log.
    const audit = await call(T.lead, 'GET', '/api/audit');
    const tokenEvents = audit.body.events.filter((e: { type: string }) => e.type.startsWith('token.'));
    expect(tokenEvents.map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ['token.created', 'lead-a'],
      ['token.revoked', 'lead-a'],
      ['token.created', 'lead-a'],
    ]);
    expect(fleet.logs.join('\n')).not.toContain(secret);
  });
});

describe('registry, lineage and audit through the API', () => {
  it('registers, lists, promotes and deletes models by project role; other teams see none of it', async () => {
    const artifact = join(dir, 'model.bin');
    writeFileSync(artifact, 'weights');
    const reg = await cli(T.alice, ['model', 'register', trialA, '--name', 'churn', '--artifact', artifact]);
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toMatch(/registered churn version 1 from trial/);

    expect((await cli(T.alice, ['model', 'ls'])).stdout).toMatch(/^churn {2}latest 1/m);
    expect((await cli(T.bob, ['model', 'ls'])).stdout).toMatch(/no models registered/);
    const bobLineage = await cli(T.bob, ['lineage', 'churn']);
    expect(bobLineage.code).not.toBe(0);
    expect(bobLineage.stderr).toMatch(/no model named churn/);
    // B cannot hijack the name with its own trial either.
    const { body } = await call(T.bob, 'GET', `/api/sweeps/${sweepB}`);
    const hijack = await call(T.bob, 'POST', '/api/models/churn/versions', {
      trialId: body.trials[0].id,
      artifact: { hash: 'md5:x', size: 1, uri: 'u' },
    });
    expect(hijack.status).toBe(404);

    const lineage = await cli(T.auditor, ['lineage', 'churn@1']);
    expect(lineage.code, lineage.stderr).toBe(0);
    expect(lineage.stdout).toContain(`trial     ${trialA}`);
    expect(lineage.stdout).toContain(`sweep     ${sweepA}`);
    expect(lineage.stdout).toMatch(/registered .* by alice-ci/);

    expect((await cli(T.alice, ['model', 'alias', 'churn', 'staging', '1'])).code).toBe(0);
    const alicePromotes = await cli(T.alice, ['model', 'alias', 'churn', 'production', '1']);
    expect(alicePromotes.code).not.toBe(0);
    expect(alicePromotes.stderr).toMatch(/needs the promote role on project team-a/);
    expect((await cli(T.release, ['model', 'alias', 'churn', 'production', '1'])).code).toBe(0);
    expect((await cli(T.release, ['model', 'delete', 'churn', '1'])).stderr).toMatch(/needs the admin role/);
    expect((await cli(T.lead, ['model', 'delete', 'churn', '1'])).code).toBe(0);

    const audit = await cli(T.auditor, ['audit', '--model', 'churn', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout).map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ['model.created', 'alice-ci'],
      ['model.version.registered', 'alice-ci'],
      ['model.alias.set', 'alice-ci'],
      ['model.alias.set', 'release-a'],
      ['model.version.deleted', 'lead-a'],
    ]);
    expect(JSON.parse((await cli(T.bob, ['audit', '--model', 'churn', '--json'])).stdout)).toEqual([]);
  });

  it("lets team A's submitter cancel its own sweep, as the control that B's token could not reach", async () => {
    const res = await call(T.alice, 'POST', `/api/sweeps/${sweepA}/cancel`);
    expect(res.status).toBe(200);
    const { sweep } = await fleet.waitForSweepEnd(sweepA);
    expect(sweep).toMatchObject({ status: 'cancelled', reason: 'cancelled by alice-ci' });
  });
});
