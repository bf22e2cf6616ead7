/**
 * The only variables a trial inherits from the process that runs it (an agent, `hyperfleet run`, a pod's
 * wrapper). Everything else — the agent's HYPERFLEET_TOKEN and Redis URL, DATABASE_URL, AWS_*, any credential
 * the operator's shell holds — stays out unless the sweep names it in `env:` (a secret by name, which the
 * operator must allow). What is here locates things and never authenticates anything:
 *
 * - how to find programs and libraries, and who/where the trial runs: PATH, HOME, USER, LOGNAME, SHELL, TMPDIR,
 *   TERM, LD_LIBRARY_PATH (CUDA and conda libraries are found through it);
 * - locale and time: LANG, LANGUAGE, LC_*, TZ;
 * - the GPUs: CUDA_VISIBLE_DEVICES (replaced per slot by the agent), CUDA_DEVICE_ORDER;
 * - Python environments: VIRTUAL_ENV, CONDA_PREFIX, CONDA_DEFAULT_ENV, PYTHONPATH, PYTHONHOME. A venv's or
 *   conda env's python runs from PATH alone, but tools inside the trial (pip, conda, numba's and JAX's CUDA
 *   lookup) read these, and an operator who installs the SDK or shared code via PYTHONPATH expects the trial
 *   to import it. They are paths, not credentials.
 */
export const INHERITED_ENV_NAMES: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TMPDIR',
  'TERM',
  'LD_LIBRARY_PATH',
  'LANG',
  'LANGUAGE',
  'TZ',
  'CUDA_VISIBLE_DEVICES',
  'CUDA_DEVICE_ORDER',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'CONDA_DEFAULT_ENV',
  'PYTHONPATH',
  'PYTHONHOME',
];

/** Prefixes inherited as a family (LC_ALL, LC_CTYPE, …). */
export const INHERITED_ENV_PREFIXES: readonly string[] = ['LC_'];

export function isInheritedEnvName(name: string): boolean {
  return INHERITED_ENV_NAMES.includes(name) || INHERITED_ENV_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** The allowlisted variables of `from` (a process's environment), nothing else. */
export function inheritedEnv(from: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && isInheritedEnvName(name)) env[name] = value;
  }
  return env;
}
