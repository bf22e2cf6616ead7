import { currentActor } from '@hyperfleet/lineage';

/**
 * Roles on a project, each including the ones before it: `read` sees the project's sweeps, trials, logs, models,
 * lineage and audit; `submit` also submits and controls sweeps and registers models; `promote` also moves a model
 * alias to `production`; `admin` also deletes model versions and mints tokens for the project.
 */
export const PROJECT_ROLES = ['read', 'submit', 'promote', 'admin'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/** Who a request or socket acts as: its token's name (the audit actor) and its roles. */
export interface Principal {
  name: string;
  /** Role per project; `*`: every project. */
  projects: Readonly<Record<string, ProjectRole>>;
  /** May register as an agent and heartbeat (the fleet role `worker`). */
  worker: boolean;
}

/** Without tokens (embedded mode) every caller is this: admin of everything, acting as the OS user. */
export const LOCAL_PRINCIPAL: Principal = { name: currentActor(), projects: { '*': 'admin' }, worker: true };

const rank = (role: ProjectRole | undefined): number => (role === undefined ? -1 : PROJECT_ROLES.indexOf(role));

/** The highest role `p` holds on `project` (its own grant or `*`), or null: the project is invisible to it. */
export function roleOn(p: Principal, project: string): ProjectRole | null {
  const own = p.projects[project];
  const all = p.projects['*'];
  const best = rank(own) >= rank(all) ? own : all;
  return best ?? null;
}

export function allows(p: Principal, project: string, required: ProjectRole): boolean {
  return rank(roleOn(p, project) ?? undefined) >= rank(required);
}

/** The projects `p` can read; undefined: every project. */
export function readableProjects(p: Principal): string[] | undefined {
  return p.projects['*'] ? undefined : Object.keys(p.projects);
}

/** Admin of every project: may mint `*` tokens and see fleet-wide audit events. */
export function isFleetAdmin(p: Principal): boolean {
  return p.projects['*'] === 'admin';
}
