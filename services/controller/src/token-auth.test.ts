import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@hyperfleet/store';
import { describe, expect, it } from 'vitest';
import { allows, type Principal, readableProjects, roleOn } from './principal';
import { TokenRegistry } from './token-auth';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('TokenRegistry', () => {
  it('parses role:token pairs from the environment (each role on every project) and keeps only hashes', async () => {
    const reg = new TokenRegistry(TokenRegistry.parseEnv('admin:a-secret, worker:w-secret'));
    expect(reg.size).toBe(2);
    expect(await reg.authenticate('a-secret')).toEqual({ name: 'admin', projects: { '*': 'admin' }, worker: true });
    expect(await reg.authenticate('w-secret')).toEqual({ name: 'worker', projects: {}, worker: true });
    expect(await reg.authenticate('w-secre')).toBe('unknown');
    expect(JSON.stringify(reg)).not.toContain('secret');
  });

  it('never echoes a malformed entry (it holds a secret)', () => {
    expect(() => TokenRegistry.parseEnv('root:supersecret')).toThrow(/entry 1/);
    try {
      TokenRegistry.parseEnv('admin:ok,root:supersecret');
    } catch (err) {
      expect(String(err)).not.toContain('supersecret');
    }
  });

  it('reads a JSON file with plain or sha256 tokens, names, and roles per project', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hf-tokens-'));
    const file = join(dir, 'tokens.json');
    await writeFile(
      file,
      JSON.stringify({
        tokens: [
          { role: 'submit', token: 't1', name: 'alice' },
          { role: 'worker', sha256: sha('fleet-token') },
          { name: 'team-a-ci', token: 't3', projects: { 'team-a': 'submit', 'team-b': 'read' } },
        ],
      }),
    );
    const reg = new TokenRegistry(await TokenRegistry.parseFile(file));
    expect(await reg.authenticate('t1')).toEqual({ name: 'alice', projects: { '*': 'submit' }, worker: false });
    expect(await reg.authenticate('fleet-token')).toMatchObject({ worker: true });
    expect(await reg.authenticate('t3')).toEqual({
      name: 'team-a-ci',
      projects: { 'team-a': 'submit', 'team-b': 'read' },
      worker: false,
    });
    const refuse = async (body: string) => {
      await writeFile(file, body);
      return TokenRegistry.parseFile(file).then((e) => new TokenRegistry(e));
    };
    await expect(refuse('{"tokens": [{"role": "boss", "token": "x"}]}')).rejects.toThrow(/unknown role/);
    await expect(refuse('{"tokens": [{"projects": {"a": "boss"}, "token": "x"}]}')).rejects.toThrow(/role "boss" on a/);
    await expect(refuse('{"tokens": [{"projects": {"a b": "read"}, "token": "x"}]}')).rejects.toThrow(/project "a b"/);
    await expect(refuse('{"tokens": [{"token": "x"}]}')).rejects.toThrow(/has no role/);
  });

  it('accepts stored tokens by hash until they are revoked or expire', async () => {
    const store = await openStore(':memory:');
    let now = 1000;
    const reg = new TokenRegistry([], { stored: store.tokens(), now: () => now });
    const base = { createdAt: 1, createdBy: 'root', revokedAt: null, revokedBy: null };
    await store.tokens().create({
      ...base,
      id: 'a',
      name: 'ci',
      sha256: sha('s1'),
      project: 'team-a',
      role: 'submit',
      expiresAt: null,
    });
    await store.tokens().create({
      ...base,
      id: 'b',
      name: 'short',
      sha256: sha('s2'),
      project: 'team-a',
      role: 'read',
      expiresAt: 2000,
    });
    expect(await reg.authenticate('s1')).toEqual({ name: 'ci', projects: { 'team-a': 'submit' }, worker: false });
    expect(await reg.authenticate('s2')).toMatchObject({ name: 'short' });
    now = 2000;
    expect(await reg.authenticate('s2')).toBe('expired');
    await store.tokens().revoke('ci', 'root', now);
    expect(await reg.authenticate('s1')).toBe('revoked');
    expect(await reg.authenticate('s3')).toBe('unknown');
    await store.close();
  });
});

describe('roles per project', () => {
  const p: Principal = { name: 'x', projects: { 'team-a': 'submit', '*': 'read' }, worker: false };

  it('takes the higher of the project grant and *, each role including the ones before it', () => {
    expect(roleOn(p, 'team-a')).toBe('submit');
    expect(roleOn(p, 'team-b')).toBe('read');
    expect(allows(p, 'team-a', 'read')).toBe(true);
    expect(allows(p, 'team-a', 'promote')).toBe(false);
    expect(allows(p, 'team-b', 'submit')).toBe(false);
    expect(readableProjects(p)).toBeUndefined();
  });

  it('sees nothing of a project it holds no role on', () => {
    const a: Principal = { name: 'a', projects: { 'team-a': 'admin' }, worker: false };
    expect(roleOn(a, 'team-b')).toBeNull();
    expect(allows(a, 'team-b', 'read')).toBe(false);
    expect(allows(a, 'team-a', 'promote')).toBe(true);
    expect(readableProjects(a)).toEqual(['team-a']);
  });
});
