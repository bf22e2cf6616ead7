import { currentActor } from '@hyperfleet/lineage';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, gridConfig, type Harness, startHarness, TOKENS } from './testing/harness';

// Projects over HTTP on the in-process controller (test/security/projects.test.ts attacks a real server).
const ALICE = 'alice-secret'; // submit on team-a
const BOB = 'bob-secret'; // submit on team-b
const READER = 'reader-secret'; // read on team-a
const RELEASE = 'release-secret'; // promote on team-a

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const start = () =>
  startHarness({
    tokens: [
      { name: 'alice', token: ALICE, projects: { 'team-a': 'submit' } },
      { name: 'bob', token: BOB, projects: { 'team-b': 'submit' } },
      { name: 'reader', token: READER, projects: { 'team-a': 'read' } },
      { name: 'release', token: RELEASE, projects: { 'team-a': 'promote' } },
    ],
  });

const submit = (token: string, extra: Record<string, unknown>) =>
  h.call('POST', '/api/sweeps?force=true', { token, body: { config: gridConfig(extra), cwd: '/tmp' } });

describe('projects over the API', () => {
  it("keeps each sweep in its config's project: others get 404, a reader 403, lists are filtered", async () => {
    h = await start();
    const created = await submit(ALICE, { project: 'team-a' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.sweep.id as string;
    expect(created.body.sweep.project).toBe('team-a');

    expect((await h.call('GET', `/api/sweeps/${id}`, { token: ALICE })).status).toBe(200);
    const hidden = await h.call('POST', `/api/sweeps/${id}/pause`, { token: BOB });
    expect([hidden.status, hidden.body.error.message]).toEqual([404, `no sweep ${id}`]);
    expect((await h.call('GET', `/api/trials/${id}-0`, { token: BOB })).status).toBe(404);
    const reader = await h.call('POST', `/api/sweeps/${id}/pause`, { token: READER });
    expect([reader.status, reader.body.error.message]).toEqual([
      403,
      'this needs the submit role on project team-a; the token has read',
    ]);

    // No `project:` is `default`, where Alice has no role; Bob none on team-a.
    expect((await submit(ALICE, {})).status).toBe(403);
    expect((await submit(BOB, { project: 'team-a' })).status).toBe(403);
    const b = await submit(BOB, { project: 'team-b' });
    const list = async (token?: string) =>
      (await h.call('GET', '/api/sweeps', token === undefined ? {} : { token })).body.sweeps.map(
        (s: { id: string }) => s.id,
      );
    expect(await list(BOB)).toEqual([b.body.sweep.id]);
    expect(await list(READER)).toEqual([id]);
    expect((await list()).sort()).toEqual([id, b.body.sweep.id].sort());
    // An agent's token reads no project: leaked from a trial, it shows no team's work.
    expect(await list(TOKENS.worker)).toEqual([]);
    expect((await h.call('GET', `/api/sweeps/${id}`, { token: TOKENS.worker })).status).toBe(404);
    expect((await submit(ALICE, { project: 'bad name' })).body.error.code).toBe('CONFIG_INVALID');
  });

  it('GET /api/me says the roles; stored tokens are minted by project admins, listed without secrets, revoked', async () => {
    h = await start();
    expect((await h.call('GET', '/api/me', { token: READER })).body).toEqual({
      name: 'reader',
      projects: { 'team-a': 'read' },
      worker: false,
      auth: true,
    });
    const refused = await h.call('POST', '/api/tokens', { token: ALICE, body: { project: 'team-a', role: 'read' } });
    expect(refused.status).toBe(403);
    const minted = await h.call('POST', '/api/tokens', {
      body: { project: 'team-a', role: 'submit', name: 'ci', expiresInSeconds: 3600 },
    });
    expect(minted.status).toBe(201);
    const secret = minted.body.token as string;
    expect((await h.call('GET', '/api/me', { token: secret })).body.projects).toEqual({ 'team-a': 'submit' });
    for (const name of ['ci', 'alice']) {
      const taken = await h.call('POST', '/api/tokens', { body: { project: 'team-a', role: 'read', name } });
      expect([taken.status, taken.body.error.code]).toEqual([409, 'CONFLICT']);
    }

    const listed = await h.call('GET', '/api/tokens');
    expect(listed.body.tokens.map((t: { name: string }) => t.name)).toEqual(['ci']);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toContain('sha256');

    expect((await h.call('POST', '/api/tokens/ci/revoke', { token: BOB })).status).toBe(404);
    expect((await h.call('POST', '/api/tokens/ci/revoke')).body.info.revokedBy).toBe('admin');
    const gone = await h.call('GET', '/api/sweeps', { token: secret });
    expect([gone.status, gone.body.error.message]).toEqual([401, 'the token has been revoked']);
  });

  it('registers models in the trial’s project: production needs promote, other teams see no model', async () => {
    h = await start();
    const id = (await submit(ALICE, { project: 'team-a' })).body.sweep.id as string;
    const trialId = await eventually(
      async () => (await h.call('GET', `/api/sweeps/${id}`, { token: ALICE })).body.trials[0]?.id as string,
    );
    const artifact = { hash: `md5:${'1'.repeat(32)}`, size: 7, uri: '/cache/x' };
    const register = (token: string, aliases?: string[]) =>
      h.call('POST', '/api/models/churn/versions', {
        token,
        body: { trialId, artifact, ...(aliases ? { aliases } : {}) },
      });
    expect((await register(ALICE, ['production'])).status).toBe(403);
    expect((await register(BOB)).status).toBe(404);
    const v1 = await register(ALICE, ['staging']);
    expect([v1.status, v1.body.version.aliases, v1.body.version.createdBy]).toEqual([201, ['staging'], 'alice']);
    expect((await register(RELEASE, ['production'])).body.version).toMatchObject({
      version: 2,
      aliases: ['production'],
    });

    expect((await h.call('GET', '/api/models', { token: READER })).body.models).toMatchObject([
      { name: 'churn', project: 'team-a', latest: 2 },
    ]);
    expect((await h.call('GET', '/api/models', { token: BOB })).body.models).toEqual([]);
    expect((await h.call('GET', '/api/models/churn%40production/resolve', { token: BOB })).status).toBe(404);
    expect(
      (await h.call('GET', '/api/models/churn%40production/resolve', { token: READER })).body.version.version,
    ).toBe(2);
    const move = (token: string, alias: string) =>
      h.call('POST', `/api/models/churn/aliases/${alias}`, { token, body: { version: 1 } });
    expect((await move(ALICE, 'production')).status).toBe(403);
    expect((await move(ALICE, 'canary')).status).toBe(200);
    expect((await h.call('POST', '/api/models/churn/versions/1/delete', { token: RELEASE })).status).toBe(403);
    expect((await h.call('POST', '/api/models/churn/versions/1/delete')).status).toBe(200);

    const audit = await h.call('GET', '/api/audit?model=churn', { token: READER });
    expect(audit.body.events.map((e: { type: string; actor: string }) => `${e.type} ${e.actor}`)).toEqual([
      'model.created alice',
      'model.version.registered alice',
      'model.alias.set alice',
      'model.version.registered release',
      'model.alias.set release',
      'model.alias.set alice',
      'model.version.deleted admin',
    ]);
    expect((await h.call('GET', '/api/audit?model=churn', { token: BOB })).body.events).toEqual([]);
  });

  it('audits agent registration and state changes as fleet-wide events, seen by admins of every project only', async () => {
    h = await start();
    const agent = { agentId: 'box-1', host: 'box', pool: 'cpu', slots: 1, gpus: [], version: '0.1.0' };
    expect((await h.call('POST', '/api/agents/register', { token: TOKENS.worker, body: agent })).status).toBe(200);
    const beat = (draining: boolean) =>
      h.call('POST', '/api/agents/box-1/heartbeat', {
        token: TOKENS.worker,
        body: { running: [], gpus: [], draining },
      });
    await beat(false);
    await beat(true);
    await beat(true);
    const events = (await h.call('GET', '/api/audit')).body.events.filter((e: { type: string }) =>
      e.type.startsWith('agent.'),
    );
    expect(events.map((e: { type: string; actor: string; data: unknown }) => [e.type, e.actor, e.data])).toEqual([
      ['agent.registered', 'worker', { agentId: 'box-1', pool: 'cpu', host: 'box' }],
      ['agent.state', 'worker', { agentId: 'box-1', from: 'running', to: 'draining', reason: null }],
    ]);
    expect((await h.call('GET', '/api/audit', { token: READER })).body.events).toEqual([]);
    expect((await h.call('POST', '/api/agents/register', { token: ALICE, body: agent })).status).toBe(403);
  });

  it('without tokens everyone is the local OS user, admin of everything, and no token can be minted', async () => {
    h = await startHarness({ auth: false });
    expect((await h.call('GET', '/api/me', { token: null })).body).toEqual({
      name: currentActor(),
      projects: { '*': 'admin' },
      worker: true,
      auth: false,
    });
    const mint = await h.call('POST', '/api/tokens', { token: null, body: { project: 'a', role: 'read' } });
    expect([mint.status, mint.body.error.code]).toEqual([409, 'TOKENS_DISABLED']);
  });
});
