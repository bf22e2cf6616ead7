/**
 * Removes credentials from a URL (https://user:token@host/x → https://host/x) and from scp-style
 * remotes' passwords, so remote URLs can be stored, printed and used as cache keys safely.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    // Not a WHATWG URL (scp-style git@host:path, a plain path): strip anything that looks like userinfo with a secret.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
  }
}

/** Redacts every URL-with-userinfo inside free text (git's stderr echoes remote URLs). */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]+@/gi, '$1');
}
