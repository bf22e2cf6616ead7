import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { roleAllows, TokenRegistry } from './token-auth';

describe('TokenRegistry', () => {
  it('parses role:token pairs from the environment and keeps only hashes', () => {
    const reg = new TokenRegistry(TokenRegistry.parseEnv('admin:a-secret, worker:w-secret'));
    expect(reg.size).toBe(2);
    expect(reg.authenticate('a-secret')).toEqual({ role: 'admin', name: 'admin' });
    expect(reg.authenticate('w-secret')?.role).toBe('worker');
    expect(reg.authenticate('w-secre')).toBeNull();
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

  it('reads a JSON file with plain or sha256 tokens and names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hf-tokens-'));
    const file = join(dir, 'tokens.json');
    const sha = createHash('sha256').update('fleet-token').digest('hex');
    await writeFile(
      file,
      JSON.stringify({
        tokens: [
          { role: 'submit', token: 't1', name: 'alice' },
          { role: 'worker', sha256: sha },
        ],
      }),
    );
    const reg = new TokenRegistry(await TokenRegistry.parseFile(file));
    expect(reg.authenticate('t1')).toEqual({ role: 'submit', name: 'alice' });
    expect(reg.authenticate('fleet-token')?.role).toBe('worker');
    await writeFile(file, '{"tokens": [{"role": "boss", "token": "x"}]}');
    await expect(TokenRegistry.parseFile(file).then((e) => new TokenRegistry(e))).rejects.toThrow(/unknown role/);
  });

  it('grants: admin everything, submit and worker include read, read only read', () => {
    expect(roleAllows('admin', 'worker')).toBe(true);
    expect(roleAllows('submit', 'read')).toBe(true);
    expect(roleAllows('worker', 'read')).toBe(true);
    expect(roleAllows('submit', 'worker')).toBe(false);
    expect(roleAllows('worker', 'submit')).toBe(false);
    expect(roleAllows('read', 'submit')).toBe(false);
  });
});
