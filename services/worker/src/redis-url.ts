/** `target` with `source`'s user and password, when `target` carries none (and both are URLs). */
export function withCredentialsOf(target: string, source: string): string {
  try {
    const t = new URL(target);
    const s = new URL(source);
    if (t.username || t.password || !(s.username || s.password)) return target;
    t.username = s.username;
    t.password = s.password;
    return t.toString();
  } catch {
    return target;
  }
}
