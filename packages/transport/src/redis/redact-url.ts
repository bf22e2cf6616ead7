/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a URL we can parse: hide everything between "//" and "@".
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** An error message with every password-bearing URL in it redacted. */
export function redactMessage(text: string): string {
  return text.replace(/rediss?:\/\/[^\s'"]+/g, (m) => redactUrl(m));
}
