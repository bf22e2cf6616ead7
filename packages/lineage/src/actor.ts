import { hostname, userInfo } from 'node:os';

/** Who is acting, for lineage and the audit log: $HYPERFLEET_ACTOR, else `user@host`. */
export function currentActor(): string {
  if (process.env.HYPERFLEET_ACTOR) return process.env.HYPERFLEET_ACTOR;
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep $USER.
  }
  return `${user}@${hostname()}`;
}
