/**
 * Git settings that authenticate HTTPS fetches from the environment, passed to git through
 * GIT_CONFIG_COUNT/KEY/VALUE (git ≥ 2.31): never on a command line (visible in `ps`), never in a URL
 * that could be logged or stored. Reads HYPERFLEET_GIT_TOKEN (and optional HYPERFLEET_GIT_USERNAME).
 * Without them git uses its own credential helpers / SSH agent as usual.
 */
export function gitCredentialEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const token = env.HYPERFLEET_GIT_TOKEN;
  if (!token) return {};
  const user = env.HYPERFLEET_GIT_USERNAME ?? 'x-access-token';
  const basic = Buffer.from(`${user}:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}
