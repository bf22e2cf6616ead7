import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HyperfleetError } from '@hyperfleet/domain';

export const ROLES = ['admin', 'submit', 'worker', 'read'] as const;
export type Role = (typeof ROLES)[number];

/** Which roles may call a route that needs `required` (admin everything; submit and worker include read). */
const GRANTS: Record<Role, readonly Role[]> = {
  admin: ['admin'],
  submit: ['admin', 'submit'],
  worker: ['admin', 'worker'],
  read: ['admin', 'submit', 'worker', 'read'],
};

export function roleAllows(role: Role, required: Role): boolean {
  return GRANTS[required].includes(role);
}

/** One token as configured: the token itself, or its SHA-256 (hex) so the file holds no secret. */
export interface TokenEntry {
  role: Role;
  token?: string;
  sha256?: string;
  /** Shown as the actor in the event log (default: the role). */
  name?: string;
}

export interface Principal {
  role: Role;
  name: string;
}

interface HashedToken {
  hash: Buffer;
  principal: Principal;
}

function tokenError(message: string, hint: string): HyperfleetError {
  return new HyperfleetError('TOKENS_INVALID', message, { hint });
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Bearer tokens with roles. Only SHA-256 hashes are kept in memory; a presented token is hashed and compared
 * with every known hash in constant time (no early exit), so timing says nothing about which bytes matched.
 */
export class TokenRegistry {
  private readonly tokens: HashedToken[];

  constructor(entries: readonly TokenEntry[]) {
    this.tokens = entries.map((e, i) => {
      if (!ROLES.includes(e.role)) {
        throw tokenError(`token ${i + 1} has unknown role ${JSON.stringify(e.role)}`, `roles: ${ROLES.join(', ')}`);
      }
      let hash: Buffer;
      if (typeof e.token === 'string' && e.token.length > 0) hash = sha256(e.token);
      else if (typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(e.sha256)) hash = Buffer.from(e.sha256, 'hex');
      else
        throw tokenError(
          `token ${i + 1} (${e.role}) has neither a token nor a sha256`,
          'give `token` or `sha256` (64 hex digits)',
        );
      return { hash, principal: { role: e.role, name: e.name ?? e.role } };
    });
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The principal a bearer token belongs to, or null. */
  authenticate(token: string): Principal | null {
    const presented = sha256(token);
    let found: Principal | null = null;
    for (const t of this.tokens) {
      if (timingSafeEqual(presented, t.hash) && found === null) found = t.principal;
    }
    return found;
  }

  /** `role:token,role:token` (the `HYPERFLEET_TOKENS` format). */
  static parseEnv(value: string): TokenEntry[] {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((item, i) => {
        const colon = item.indexOf(':');
        const role = colon < 0 ? '' : item.slice(0, colon);
        const token = colon < 0 ? '' : item.slice(colon + 1);
        if (!ROLES.includes(role as Role) || token === '') {
          // Never echo the item: it holds a secret.
          throw tokenError(
            `entry ${i + 1} of HYPERFLEET_TOKENS is not role:token`,
            `write role:token pairs separated by commas; roles: ${ROLES.join(', ')}`,
          );
        }
        return { role: role as Role, token };
      });
  }

  /** A JSON file: `{"tokens": [{"role": "admin", "token": "…"} | {"role": "worker", "sha256": "…", "name": "gpu-fleet"}]}` (or the bare list). */
  static async parseFile(path: string): Promise<TokenEntry[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw tokenError(
        `cannot read tokens from ${path}: ${(err as Error).message.split('\n')[0]}`,
        'the file is JSON: {"tokens": [{"role": "admin", "token": "…"}]}',
      );
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { tokens?: unknown } | null)?.tokens;
    if (!Array.isArray(list)) {
      throw tokenError(
        `${path} has no "tokens" list`,
        'the file is JSON: {"tokens": [{"role": "admin", "token": "…"}]}',
      );
    }
    return list.map((e, i) => {
      if (typeof e !== 'object' || e === null)
        throw tokenError(`token ${i + 1} in ${path} is not an object`, 'each token is {"role", "token" or "sha256"}');
      return e as TokenEntry;
    });
  }
}
