import { routes, type TokenInfoBody } from '@hyperfleet/contract';
import { CliError, EXIT } from '../cli-error';
import { ApiClient, type ServerOptions } from '../fleet/api-client';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 7 * 86_400 };

/** `30d`, `12h`, `90m`, `3600s` (or plain seconds) → seconds. */
export function parseLifetime(value: string): number {
  const m = /^(\d+)\s*([smhdw]?)$/.exec(value.trim());
  const seconds = m ? Number(m[1]) * (UNITS[m[2] || 's'] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new CliError(`--expires ${JSON.stringify(value)} is not a lifetime`, 'write e.g. 30d, 12h, 90m', EXIT.usage);
  }
  return seconds;
}

/**
 * `hyperfleet token create --project P --role R [--name N] [--expires 30d]`: the server mints the token and keeps
 * only its SHA-256; the secret is printed here once (on stdout, alone on its line, so it can be captured).
 */
export async function tokenCreateCommand(
  opts: ServerOptions & { project: string; role: string; name?: string; expires?: string; json?: boolean },
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  const { token, info } = await new ApiClient(opts).call(
    routes.access.createToken,
    {},
    {
      body: {
        project: opts.project,
        role: opts.role as TokenInfoBody['role'],
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.expires ? { expiresInSeconds: parseLifetime(opts.expires) } : {}),
      },
    },
  );
  if (opts.json) {
    out.write(`${JSON.stringify({ token, info }, null, 2)}\n`);
    return EXIT.ok;
  }
  err.write(
    `token ${info.name} (${info.role} on ${info.project}${info.expiresAt ? `, expires ${new Date(info.expiresAt).toISOString()}` : ''}); it is shown only now:\n`,
  );
  out.write(`${token}\n`);
  return EXIT.ok;
}

/** `hyperfleet token ls`: the stored tokens of the projects this token administers (never a secret). */
export async function tokenLsCommand(opts: ServerOptions & { json?: boolean }, out = process.stdout): Promise<number> {
  const { tokens } = await new ApiClient(opts).call(routes.access.listTokens, {});
  if (opts.json) {
    out.write(`${JSON.stringify({ tokens }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (tokens.length === 0) out.write('no stored tokens (hyperfleet token create --project P --role R)\n');
  const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
  for (const t of tokens) {
    const state = t.revokedAt
      ? `revoked ${iso(t.revokedAt)} by ${t.revokedBy ?? '-'}`
      : t.expiresAt !== null && t.expiresAt <= Date.now()
        ? `expired ${iso(t.expiresAt)}`
        : `expires ${iso(t.expiresAt)}`;
    out.write(
      `${t.name.padEnd(28)} ${t.id}  ${t.role.padEnd(7)} ${t.project.padEnd(16)} by ${(t.createdBy ?? '-').padEnd(12)} ${state}\n`,
    );
  }
  return EXIT.ok;
}

/** `hyperfleet token revoke <name|id>`: the token is refused (401) from now on. */
export async function tokenRevokeCommand(idOrName: string, opts: ServerOptions, out = process.stdout): Promise<number> {
  const { info } = await new ApiClient(opts).call(routes.access.revokeToken, { id: idOrName });
  out.write(`revoked ${info.name} (${info.role} on ${info.project})\n`);
  return EXIT.ok;
}
