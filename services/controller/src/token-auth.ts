import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HyperfleetError, PROJECT_NAME, PROJECT_NAME_RULE } from '@hyperfleet/domain';
import type { TokenStore } from '@hyperfleet/store';
import { PROJECT_ROLES, type Principal, type ProjectRole } from './principal';

/** Roles a configured token may hold on every project (`role`), `worker` being the agents' fleet role. */
export const ROLES = ['admin', 'promote', 'submit', 'worker', 'read'] as const;
export type Role = (typeof ROLES)[number];

/** One token as configured: the token itself, or its SHA-256 (hex) so the file holds no secret. */
export interface TokenEntry {
  /** This role on every project (`worker`: an agent's, which reads no project, only its trials' blobs). */
  role?: Role;
  /** Roles per project: `{"team-a": "submit", "*": "read"}`. */
  projects?: Record<string, ProjectRole>;
  token?: string;
  sha256?: string;
  /** The actor in the audit log (default: the role). */
  name?: string;
}

interface HashedToken {
  hash: Buffer;
  principal: Principal;
}

/** A token that was refused, and why (the API answers 401 with it). */
export type Refusal = 'unknown' | 'revoked' | 'expired';

function tokenError(message: string, hint: string): HyperfleetError {
  return new HyperfleetError('TOKENS_INVALID', message, { hint });
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** What a configured entry grants: a plain role on every project, plus the per-project ones. */
function principalOf(e: TokenEntry, i: number): Principal {
  const where = `token ${i + 1}${e.name ? ` (${e.name})` : ''}`;
  if (e.role !== undefined && !ROLES.includes(e.role)) {
    throw tokenError(`${where} has unknown role ${JSON.stringify(e.role)}`, `roles: ${ROLES.join(', ')}`);
  }
  const projects: Record<string, ProjectRole> = {};
  // An agent's token reads no project (it registers, heartbeats and fetches the blobs of its trials), so a token
  // that leaks from an agent shows no team's sweeps; admin is also an agent (as before projects).
  if (e.role !== undefined && e.role !== 'worker') projects['*'] = e.role;
  for (const [project, role] of Object.entries(e.projects ?? {})) {
    if (project !== '*' && !PROJECT_NAME.test(project)) {
      throw tokenError(
        `${where} names project ${JSON.stringify(project)}`,
        `project names: ${PROJECT_NAME_RULE}, or *`,
      );
    }
    if (!PROJECT_ROLES.includes(role)) {
      throw tokenError(
        `${where} has unknown role ${JSON.stringify(role)} on ${project}`,
        `project roles: ${PROJECT_ROLES.join(', ')}`,
      );
    }
    projects[project] = role;
  }
  if (Object.keys(projects).length === 0 && e.role !== 'worker') {
    throw tokenError(`${where} has no role`, 'give "role" (every project) or "projects": {"team-a": "submit"}');
  }
  return {
    name: e.name ?? e.role ?? 'token',
    projects,
    worker: e.role === 'worker' || e.role === 'admin',
  };
}

/**
 * Bearer tokens with roles per project: the configured ones (env, file) and, when given a store, the ones minted
 * with `hyperfleet token create` (kept there as SHA-256 only). Configured tokens are compared hash against hash in
 * constant time (no early exit), so timing says nothing about which bytes matched; a stored token is looked up by
 * its hash, which only a holder of the secret can produce.
 */
export class TokenRegistry {
  private readonly tokens: HashedToken[];

  constructor(
    entries: readonly TokenEntry[],
    private readonly opts: { stored?: TokenStore; now?: () => number } = {},
  ) {
    this.tokens = entries.map((e, i) => {
      let hash: Buffer;
      if (typeof e.token === 'string' && e.token.length > 0) hash = sha256(e.token);
      else if (typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(e.sha256)) hash = Buffer.from(e.sha256, 'hex');
      else
        throw tokenError(
          `token ${i + 1}${e.name ? ` (${e.name})` : ''} has neither a token nor a sha256`,
          'give `token` or `sha256` (64 hex digits)',
        );
      return { hash, principal: principalOf(e, i) };
    });
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Whether a configured token has this name (a stored one may not take it: the audit actor must be one token). */
  isConfiguredName(name: string): boolean {
    return this.tokens.some((t) => t.principal.name === name);
  }

  /** Where `hyperfleet token create` keeps what it mints; null: only configured tokens. */
  get stored(): TokenStore | null {
    return this.opts.stored ?? null;
  }

  /** The principal a bearer token belongs to, or why it is refused. */
  async authenticate(token: string): Promise<Principal | Refusal> {
    const presented = sha256(token);
    let found: Principal | null = null;
    for (const t of this.tokens) {
      if (timingSafeEqual(presented, t.hash) && found === null) found = t.principal;
    }
    if (found !== null || !this.opts.stored) return found ?? 'unknown';
    const row = await this.opts.stored.findBySha256(presented.toString('hex'));
    if (!row) return 'unknown';
    if (row.revokedAt !== null) return 'revoked';
    if (row.expiresAt !== null && row.expiresAt <= (this.opts.now ?? Date.now)()) return 'expired';
    // A minted agent token (`--role worker`): the fleet role, no project's data.
    if (row.role === 'worker') return { name: row.name, projects: {}, worker: true };
    return {
      name: row.name,
      projects: { [row.project]: row.role as ProjectRole },
      worker: false,
    };
  }

  /** `role:token,role:token` (the `HYPERFLEET_TOKENS` format): each role on every project. */
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

  /**
   * A JSON file: `{"tokens": [{"role": "admin", "token": "…"}, {"name": "team-a-ci", "sha256": "…",
   * "projects": {"team-a": "submit"}}]}` (or the bare list).
   */
  static async parseFile(path: string): Promise<TokenEntry[]> {
    const format = 'the file is JSON: {"tokens": [{"role": "admin", "token": "…"}]} (see README, "API tokens")';
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw tokenError(`cannot read tokens from ${path}: ${(err as Error).message.split('\n')[0]}`, format);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { tokens?: unknown } | null)?.tokens;
    if (!Array.isArray(list)) throw tokenError(`${path} has no "tokens" list`, format);
    return list.map((e, i) => {
      if (typeof e !== 'object' || e === null)
        throw tokenError(
          `token ${i + 1} in ${path} is not an object`,
          'each token is {"role" or "projects", "token" or "sha256"}',
        );
      return e as TokenEntry;
    });
  }
}
