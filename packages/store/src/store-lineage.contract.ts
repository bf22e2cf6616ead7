import type { TrialLineage } from '@hyperfleet/lineage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StoreHarness, sweepRecord, trialRecord } from './store.contract';
import type { TrackingStore } from './tracking-store';

function lineage(trialId: string, over: Partial<TrialLineage> = {}): TrialLineage {
  return {
    trialId,
    sweepId: 's1',
    identity: `sha256:${'a'.repeat(64)}`,
    code: {
      repoRoot: '/home/me/proj',
      subdir: '',
      remoteName: 'origin',
      remote: 'https://git.example/proj.git',
      commit: 'c'.repeat(40),
      branch: 'main',
      diff: { hash: `sha256:${'d'.repeat(64)}`, size: 3, files: ['train.py'] },
      untrackedPolicy: 'warn',
      untracked: [],
      pushed: true,
    },
    data: [{ path: 'data/train.csv', md5: 'e'.repeat(32), size: 10, source: 'dvc-file' }],
    env: { os: 'linux', node: 'v20', python: '3.11.2', lockfiles: {}, image: null, gpus: [] },
    params: { lr: 0.1 },
    seed: 7,
    command: ['python3', 'train.py', '--lr=0.1'],
    actor: 'me@laptop',
    createdAt: 1_700_000_000_000,
    ...over,
  };
}

/** Lineage and model-registry behavior every backend must share (runs beside the main contract). */
export function describeLineageContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`lineage store contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: TrackingStore;
    beforeEach(async () => {
      harness = await makeHarness();
      store = await harness.open();
      await store.createSweep(sweepRecord('s1'));
      await store.createTrial(trialRecord('s1-0', 's1', 0));
      await store.createTrial(trialRecord('s1-1', 's1', 1));
    });
    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    it('keeps blobs byte-exact and idempotent', async () => {
      const bytes = Buffer.from([0, 255, 10, 13, 0, 1]);
      await store.lineage().putBlob('sha256:x', bytes);
      await store.lineage().putBlob('sha256:x', bytes);
      expect(await store.lineage().getBlob('sha256:x')).toEqual(bytes);
      expect(await store.lineage().getBlob('sha256:missing')).toBeNull();
    });

    it('records lineage per trial (upsert), finds trials by identity, lists pinned data', async () => {
      const l = store.lineage();
      await l.recordLineage(lineage('s1-0'));
      await l.recordLineage(lineage('s1-0'));
      await l.recordLineage(lineage('s1-1', { createdAt: 1_700_000_000_001 }));
      expect(await l.getLineage('s1-0')).toEqual(lineage('s1-0'));
      expect(await l.getLineage('nope')).toBeNull();
      expect(await l.findTrialsByIdentity(`sha256:${'a'.repeat(64)}`)).toEqual(['s1-0', 's1-1']);
      expect(await l.listPinnedData()).toEqual(['e'.repeat(32)]);
      await expect(l.recordLineage(lineage('ghost'))).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    });

    it('registers numbered versions, moves aliases, resolves refs, soft-deletes, and audits it all', async () => {
      const m = store.models();
      const artifact = { hash: `md5:${'1'.repeat(32)}`, size: 5, uri: 'cache://x' };
      const v1 = await m.register({
        name: 'churn',
        project: 'team-a',
        trialId: 's1-0',
        artifact,
        tags: { commit: 'c' },
        aliases: ['staging'],
        actor: 'alice',
        at: 1,
      });
      expect(v1).toMatchObject({ version: 1, aliases: ['staging'], tags: { commit: 'c' }, createdBy: 'alice' });
      const v2 = await m.register({
        name: 'churn',
        project: 'team-a',
        trialId: 's1-1',
        artifact,
        tags: {},
        aliases: ['staging'],
        actor: 'bob',
        at: 2,
      });
      expect(v2.version).toBe(2);
      expect((await m.resolve('churn@staging')).version).toBe(2);
      expect((await m.resolve('churn@1')).aliases).toEqual([]);
      expect((await m.resolve('churn')).version).toBe(2);
      await m.setAlias('churn', 'production', 1, 'carol', 3);
      expect((await m.resolve('churn@production')).trialId).toBe('s1-0');
      await m.deleteVersion('churn', 1, 'dave', 4);
      await expect(m.resolve('churn@production')).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      expect((await m.resolve('churn@1')).deletedBy).toBe('dave');
      expect(await m.listModels()).toEqual([
        { name: 'churn', project: 'team-a', createdAt: 1, createdBy: 'alice', latest: 2, aliases: { staging: 2 } },
      ]);
      expect(await m.listModels({ projects: ['team-b'] })).toEqual([]);
      const audit = await store.listAudit({ model: 'churn' });
      expect(await store.listAudit({ model: 'churn', projects: ['team-b'] })).toEqual([]);
      expect(audit.every((e) => e.project === 'team-a')).toBe(true);
      expect(audit.map((e) => [e.type, e.actor])).toEqual([
        ['model.created', 'alice'],
        ['model.version.registered', 'alice'],
        ['model.alias.set', 'alice'],
        ['model.version.registered', 'bob'],
        ['model.alias.set', 'bob'],
        ['model.alias.set', 'carol'],
        ['model.version.deleted', 'dave'],
      ]);
      expect(audit[4]?.data).toEqual({ model: 'churn', alias: 'staging', version: 2, from: 1 });
    });

    it('names what exists when a model or version does not', async () => {
      const m = store.models();
      await expect(m.resolve('nope@staging')).rejects.toThrow(/no model named nope \(no models are registered yet\)/);
      await m.register({
        name: 'churn',
        project: 'default',
        trialId: 's1-0',
        artifact: { hash: 'h', size: 1, uri: 'u' },
        tags: {},
        actor: null,
        at: 1,
      });
      await expect(m.resolve('nope')).rejects.toThrow(/registered: churn/);
      await expect(m.resolve('churn@prod')).rejects.toThrow(/no version prod: versions 1/);
      await expect(m.setAlias('churn', 'x', 9, null, 2)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      await expect(m.setAlias('churn', '3', 1, null, 2)).rejects.toMatchObject({ code: 'STORE_INVALID' });
    });

    it('gives concurrent registrations distinct versions', async () => {
      const m = store.models();
      const artifact = { hash: 'h', size: 1, uri: 'u' };
      const input = { name: 'race', project: 'default', trialId: 's1-0', artifact, tags: {}, actor: null };
      await m.register({ ...input, at: 1 });
      const got = await Promise.all([0, 1, 2, 3].map(() => m.register({ ...input, at: 2 })));
      expect(got.map((v) => v.version).sort()).toEqual([2, 3, 4, 5]);
    });

    it('keeps a model in one project: a version from another project is refused', async () => {
      const m = store.models();
      const input = { name: 'churn', trialId: 's1-0', artifact: { hash: 'h', size: 1, uri: 'u' }, tags: {}, at: 1 };
      await m.register({ ...input, project: 'team-a', actor: 'a' });
      await expect(m.register({ ...input, project: 'team-b', actor: 'b' })).rejects.toMatchObject({
        code: 'STORE_CONFLICT',
        message: expect.stringMatching(/belongs to project team-a/),
      });
      expect((await m.listVersions('churn')).length).toBe(1);
    });

    it('stores API tokens by hash, lists them, revokes by name or id, and audits both', async () => {
      const t = store.tokens();
      const token = {
        id: 'tok1',
        name: 'ci-team-a',
        sha256: 'f'.repeat(64),
        project: 'team-a',
        role: 'submit',
        createdAt: 1,
        createdBy: 'root',
        expiresAt: 99,
        revokedAt: null,
        revokedBy: null,
      };
      await t.create(token);
      await expect(t.create({ ...token, id: 'tok2', sha256: 'e'.repeat(64) })).rejects.toMatchObject({
        code: 'STORE_CONFLICT',
      });
      expect(await t.findBySha256('f'.repeat(64))).toEqual(token);
      expect(await t.findBySha256('0'.repeat(64))).toBeNull();
      expect((await t.revoke('ci-team-a', 'root', 5)).revokedAt).toBe(5);
      expect((await t.revoke('tok1', 'other', 6)).revokedBy).toBe('root');
      expect((await t.list()).map((x) => [x.name, x.revokedAt])).toEqual([['ci-team-a', 5]]);
      await expect(t.revoke('nope', 'root', 7)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
      const audit = await store.listAudit({ projects: ['team-a'] });
      expect(audit.map((e) => [e.type, e.actor])).toEqual([
        ['token.created', 'root'],
        ['token.revoked', 'root'],
      ]);
    });
  });
}
