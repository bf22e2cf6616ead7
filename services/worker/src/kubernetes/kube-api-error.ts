/** What went wrong talking to the Kubernetes API, normalized from client-node's ApiException and fetch errors. */
export interface KubeFailure {
  /** HTTP status, or null when no answer came (network, timeout). */
  code: number | null;
  /** The `Status` reason (AlreadyExists, NotFound, Forbidden, Invalid…) when the body had one. */
  reason: string | null;
  message: string;
}

export function kubeFailureOf(error: unknown): KubeFailure {
  const e = error as { code?: unknown; body?: unknown; message?: unknown; statusCode?: unknown };
  const code = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : null;
  type StatusBody = { reason?: unknown; message?: unknown };
  let status: StatusBody | null = null;
  if (typeof e?.body === 'string') {
    try {
      status = JSON.parse(e.body) as StatusBody;
    } catch {
      status = null;
    }
  } else if (e?.body && typeof e.body === 'object') {
    status = e.body as StatusBody;
  }
  const reason = typeof status?.reason === 'string' ? status.reason : null;
  const message =
    typeof status?.message === 'string' ? status.message : error instanceof Error ? error.message : String(error);
  return { code, reason, message };
}

/** Worth another try: no answer, throttled, or the server's own trouble. */
export function isTransient(failure: KubeFailure): boolean {
  return failure.code === null || failure.code === 429 || failure.code >= 500;
}

/** A one-line description with the fix for the failures an operator can fix. */
export function describeKubeFailure(failure: KubeFailure, doing: string, namespace: string): string {
  const base = `${doing} failed${failure.code === null ? '' : ` (HTTP ${failure.code}${failure.reason ? ` ${failure.reason}` : ''})`}: ${failure.message}`;
  if (failure.code === 401)
    return `${base} — the agent's Kubernetes credentials were refused (kubeconfig or ServiceAccount token)`;
  if (failure.code === 403) {
    return `${base} — the agent's ServiceAccount lacks RBAC for Jobs/Pods in namespace ${namespace}: apply k8s/overlays/job-per-trial (Role hyperfleet-job-executor)`;
  }
  if (failure.code === 404 && failure.reason === 'NotFound' && /namespaces?/.test(failure.message)) {
    return `${base} — does namespace ${namespace} exist? (--namespace)`;
  }
  return base;
}
