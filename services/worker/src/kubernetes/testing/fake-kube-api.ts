import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';

/**
 * Test support (not exported from the package): a local HTTP server speaking the subset of the Kubernetes
 * API the executor uses, with the real wire formats — Job create/get/delete/list (labelSelector), pod list
 * and watch (`?watch=true&resourceVersion=`: newline-delimited JSON events, ERROR events with a 410 Status
 * for an expired version), pod logs (`follow=true`, `timestamps=true`, `sinceTime` at whole seconds), and
 * `Status` error bodies with the real codes (401, 404 NotFound, 409 AlreadyExists, 400 BadRequest).
 *
 * It does what the Job controller and the kubelet would do only when a test says so: a created Job gets one
 * Pending pod; the test (or `behavior`) moves it through Running to Succeeded/Failed with the container
 * statuses, conditions and log lines of the scenario.
 */
export interface FakeKubeApi {
  url: string;
  token: string;
  /** A KubeConfig pointing at this server (bearer token, no TLS). */
  kubeConfig(): KubeConfig;
  jobs: Map<string, V1Job>;
  pods: Map<string, V1Pod>;
  /** Every request: method, path and query. */
  requests: Array<{ method: string; path: string; query: URLSearchParams; at: number }>;
  /** Called for each pod the fake Job controller creates; drive its lifecycle from here. */
  behavior: ((pod: V1Pod, api: FakeKubeApi) => void | Promise<void>) | null;
  /** Called when a pod is deleted (its Job deleted, or deletePod): a kubelet would SIGTERM it. */
  onPodDeleted: ((pod: V1Pod) => void) | null;
  /** Answer the next request matching `method` and `path` with this status (e.g. 500, 503). */
  failNext(method: string, path: RegExp, code: number, times?: number): void;
  /** Changes a pod (status, conditions…) as the kubelet would: new resourceVersion, MODIFIED event. */
  updatePod(name: string, change: (pod: V1Pod) => void): V1Pod;
  /** Pod shortcuts. */
  runPod(name: string, node?: string): V1Pod;
  terminatePod(
    name: string,
    t: { exitCode: number; reason?: string; message?: string; phase?: 'Succeeded' | 'Failed' },
  ): V1Pod;
  /** Removes a pod (DELETED event), as after a graceful deletion or a node loss. */
  deletePod(name: string): void;
  /** Appends lines to a pod's log (each gets its own timestamp). */
  appendLog(name: string, text: string): void;
  /** Cuts every open watch connection mid-stream (the socket is destroyed). */
  dropWatches(): number;
  /** Cuts every open log stream. */
  dropLogStreams(): number;
  /** Forgets events up to now: a watch resuming from an older resourceVersion gets 410 Gone. */
  compact(): void;
  /** Open watch connections. */
  readonly watchCount: number;
  /** Job create times by name (ms, performance.now()). */
  createdAt: Map<string, number>;
  close(): Promise<void>;
}

interface WatchConn {
  res: ServerResponse;
  namespace: string;
  selector: Selector;
  timer: NodeJS.Timeout | null;
}

interface LogEntry {
  ts: string;
  line: string;
}

interface LogConn {
  res: ServerResponse;
  pod: string;
  timestamps: boolean;
}

type Selector = (labels: Record<string, string> | undefined) => boolean;

export function parseLabelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const terms = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const tests = terms.map((term): Selector => {
    const neq = /^([^!=]+)!=(.*)$/.exec(term);
    if (neq) return (l) => l?.[neq[1] as string] !== neq[2];
    const eq = /^([^!=]+)==?(.*)$/.exec(term);
    if (eq) return (l) => l?.[eq[1] as string] === eq[2];
    if (term.startsWith('!')) return (l) => l?.[term.slice(1)] === undefined;
    return (l) => l?.[term] !== undefined;
  });
  return (labels) => tests.every((t) => t(labels));
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'AlreadyExists',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** An RBAC rule, as in a Role: with `rules` set, the fake answers 403 Forbidden to anything they do not allow. */
export interface FakeRbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export async function startFakeKubeApi(opts: { token?: string; rules?: FakeRbacRule[] } = {}): Promise<FakeKubeApi> {
  const token = opts.token ?? `fake-${randomBytes(6).toString('hex')}`;
  let rv = 1000;
  let compactedAt = 0;
  const jobs = new Map<string, V1Job>();
  const pods = new Map<string, V1Pod>();
  const history: Array<{ rv: number; type: string; pod: V1Pod }> = [];
  const watches = new Set<WatchConn>();
  const logs = new Map<string, LogEntry[]>();
  const logConns = new Set<LogConn>();
  const sockets = new Set<Socket>();
  const failures: Array<{ method: string; path: RegExp; code: number; times: number }> = [];
  let logSeq = 0;

  const nextRv = () => String(++rv);
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

  const send = (res: ServerResponse, code: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const fail = (res: ServerResponse, code: number, message: string, details?: Record<string, unknown>) =>
    send(res, code, status(code, REASONS[code] ?? 'Unknown', message, details));

  const emitPod = (type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod) => {
    const version = Number(pod.metadata?.resourceVersion);
    history.push({ rv: version, type, pod: clone(pod) });
    for (const w of watches) {
      if (w.namespace === pod.metadata?.namespace && w.selector(pod.metadata?.labels)) {
        w.res.write(`${JSON.stringify({ type, object: pod })}\n`);
      }
    }
  };

  const ended = (pod: V1Pod) =>
    pod.status?.containerStatuses?.some((c) => c.state?.terminated) ||
    pod.status?.phase === 'Succeeded' ||
    pod.status?.phase === 'Failed';

  const finishLogs = (podKey: string) => {
    for (const conn of logConns) {
      if (conn.pod === podKey) {
        conn.res.end();
        logConns.delete(conn);
      }
    }
  };

  const updateJobStatus = (pod: V1Pod) => {
    const jobName = pod.metadata?.labels?.['batch.kubernetes.io/job-name'];
    const job = jobName ? jobs.get(key(pod.metadata?.namespace ?? '', jobName)) : undefined;
    if (!job) return;
    const phase = pod.status?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') return;
    const disrupted = pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True');
    if (disrupted) return; // podFailurePolicy Ignore: not counted
    const type = phase === 'Succeeded' ? 'Complete' : 'Failed';
    job.status = {
      ...(job.status ?? {}),
      [phase === 'Succeeded' ? 'succeeded' : 'failed']: 1,
      active: 0,
      conditions: [{ type, status: 'True', lastTransitionTime: new Date() }],
    };
    job.metadata = { ...job.metadata, resourceVersion: nextRv() };
  };

  const api: FakeKubeApi = {
    url: '',
    token,
    jobs,
    pods,
    requests: [],
    behavior: null,
    onPodDeleted: null,
    createdAt: new Map(),
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: api.url, skipTLSVerify: true }],
        users: [{ name: 'fake', token }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
        currentContext: 'fake',
      });
      return kc;
    },
    failNext(method, path, code, times = 1) {
      failures.push({ method, path, code, times });
    },
    updatePod(name, change) {
      const entry = [...pods.entries()].find(([, p]) => p.metadata?.name === name);
      if (!entry) throw new Error(`fake kube api: no pod ${name}`);
      const [podKey, pod] = entry;
      const wasEnded = ended(pod);
      change(pod);
      pod.metadata = { ...pod.metadata, resourceVersion: nextRv() };
      emitPod('MODIFIED', pod);
      updateJobStatus(pod);
      if (!wasEnded && ended(pod)) finishLogs(podKey);
      return pod;
    },
    runPod(name, node = 'node-1') {
      return api.updatePod(name, (pod) => {
        const now = new Date().toISOString();
        (pod.spec as { nodeName?: string }).nodeName = node;
        pod.status = {
          ...pod.status,
          phase: 'Running',
          startTime: now as unknown as Date,
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
          containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image ?? '',
            imageID: '',
            ready: true,
            restartCount: 0,
            state: { running: { startedAt: now as unknown as Date } },
          })),
        };
      });
    },
    terminatePod(name, t) {
      return api.updatePod(name, (pod) => {
        const now = new Date().toISOString();
        const startedAt = pod.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? (now as unknown as Date);
        pod.status = {
          ...pod.status,
          phase: t.phase ?? (t.exitCode === 0 ? 'Succeeded' : 'Failed'),
          containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image ?? '',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode: t.exitCode,
                ...(t.reason ? { reason: t.reason } : {}),
                ...(t.message ? { message: t.message } : {}),
                startedAt,
                finishedAt: now as unknown as Date,
              },
            },
          })),
        };
      });
    },
    deletePod(name) {
      const entry = [...pods.entries()].find(([, p]) => p.metadata?.name === name);
      if (!entry) return;
      const [podKey, pod] = entry;
      pods.delete(podKey);
      pod.metadata = { ...pod.metadata, resourceVersion: nextRv() };
      emitPod('DELETED', pod);
      finishLogs(podKey);
      api.onPodDeleted?.(pod);
    },
    appendLog(name, text) {
      const pod = [...pods.values()].find((p) => p.metadata?.name === name);
      if (!pod) throw new Error(`fake kube api: no pod ${name}`);
      const podKey = key(pod.metadata?.namespace ?? '', name);
      const entries = logs.get(podKey) ?? [];
      logs.set(podKey, entries);
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      for (const line of lines) {
        // RFC3339Nano as the kubelet writes it; a sequence number in the sub-millisecond digits.
        const iso = new Date().toISOString();
        const ts = `${iso.slice(0, 23)}${String(logSeq++ % 1_000_000).padStart(6, '0')}Z`;
        const entry = { ts, line: `${line}\n` };
        entries.push(entry);
        for (const conn of logConns) {
          if (conn.pod === podKey) conn.res.write(conn.timestamps ? `${entry.ts} ${entry.line}` : entry.line);
        }
      }
    },
    dropWatches() {
      const n = watches.size;
      for (const w of watches) {
        if (w.timer) clearTimeout(w.timer);
        w.res.socket?.destroy();
      }
      watches.clear();
      return n;
    },
    dropLogStreams() {
      const n = logConns.size;
      for (const conn of logConns) conn.res.socket?.destroy();
      logConns.clear();
      return n;
    },
    compact() {
      compactedAt = rv;
      history.length = 0;
    },
    get watchCount() {
      return watches.size;
    },
    close: async () => {
      for (const w of watches) if (w.timer) clearTimeout(w.timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const createPodFor = (job: V1Job) => {
    const ns = job.metadata?.namespace ?? 'default';
    const jobName = job.metadata?.name ?? '';
    const template = clone(job.spec?.template ?? {});
    const name = `${jobName}-${randomBytes(3).toString('hex').slice(0, 5)}`;
    const pod: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        uid: randomBytes(8).toString('hex'),
        labels: {
          ...template.metadata?.labels,
          'batch.kubernetes.io/job-name': jobName,
          'job-name': jobName,
          'batch.kubernetes.io/controller-uid': job.metadata?.uid ?? '',
        },
        annotations: template.metadata?.annotations ?? {},
        creationTimestamp: new Date().toISOString() as unknown as Date,
        resourceVersion: nextRv(),
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: job.metadata?.uid ?? '', controller: true },
        ],
      },
      spec: template.spec ?? { containers: [] },
      status: {
        phase: 'Pending',
        conditions: [],
        containerStatuses: (template.spec?.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ContainerCreating' } },
        })),
      },
    };
    pods.set(key(ns, name), pod);
    emitPod('ADDED', pod);
    return pod;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    api.requests.push({ method, path: url.pathname, query: url.searchParams, at: performance.now() });
    if (req.headers.authorization !== `Bearer ${token}`) return fail(res, 401, 'Unauthorized');
    const access = accessOf(method, url);
    if (opts.rules && access) {
      const allowed = opts.rules.some(
        (r) =>
          r.apiGroups.includes(access.group) && r.resources.includes(access.resource) && r.verbs.includes(access.verb),
      );
      if (!allowed) {
        return fail(
          res,
          403,
          `${access.resource} is forbidden: User "system:serviceaccount:test:executor" cannot ${access.verb} resource "${access.resource}" in API group "${access.group}"`,
        );
      }
    }
    const injected = failures.find((f) => f.method === method && f.path.test(url.pathname));
    if (injected) {
      injected.times--;
      if (injected.times <= 0) failures.splice(failures.indexOf(injected), 1);
      return fail(res, injected.code, `injected failure ${injected.code}`);
    }
    const body = method === 'POST' || method === 'PUT' ? await readJson(req) : null;
    const path = url.pathname;
    const jobsPath = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/.exec(path);
    const jobPath = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/.exec(path);
    const podsPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path);
    const logPath = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(path);

    // ---- Jobs ----
    if (jobsPath) {
      const ns = decodeURIComponent(jobsPath[1] as string);
      if (method === 'POST') {
        const job = body as V1Job;
        const name = job.metadata?.name;
        if (!name) return fail(res, 422, 'Job.batch "" is invalid: metadata.name: Required value');
        if (jobs.has(key(ns, name))) {
          return fail(res, 409, `jobs.batch "${name}" already exists`, { name, group: 'batch', kind: 'jobs' });
        }
        const stored: V1Job = {
          ...job,
          metadata: {
            ...job.metadata,
            namespace: ns,
            uid: randomBytes(8).toString('hex'),
            resourceVersion: nextRv(),
            creationTimestamp: new Date().toISOString() as unknown as Date,
          },
          status: { active: 1 },
        };
        jobs.set(key(ns, name), stored);
        api.createdAt.set(name, performance.now());
        send(res, 201, stored);
        const pod = createPodFor(stored);
        await api.behavior?.(pod, api);
        return;
      }
      if (method === 'GET') {
        const selector = parseLabelSelector(url.searchParams.get('labelSelector'));
        const items = [...jobs.values()].filter((j) => j.metadata?.namespace === ns && selector(j.metadata?.labels));
        return send(res, 200, {
          kind: 'JobList',
          apiVersion: 'batch/v1',
          metadata: { resourceVersion: String(rv) },
          items,
        });
      }
    }
    if (jobPath) {
      const ns = decodeURIComponent(jobPath[1] as string);
      const name = decodeURIComponent(jobPath[2] as string);
      const job = jobs.get(key(ns, name));
      if (!job) return fail(res, 404, `jobs.batch "${name}" not found`, { name, group: 'batch', kind: 'jobs' });
      if (method === 'GET') return send(res, 200, job);
      if (method === 'DELETE') {
        jobs.delete(key(ns, name));
        const policy = url.searchParams.get('propagationPolicy') ?? 'Background';
        send(res, 200, { ...job, metadata: { ...job.metadata, deletionTimestamp: new Date().toISOString() } });
        if (policy !== 'Orphan') {
          for (const pod of [...pods.values()]) {
            if (pod.metadata?.namespace === ns && pod.metadata?.labels?.['batch.kubernetes.io/job-name'] === name) {
              // The kubelet stops the container (SIGTERM: 143), then the pod object goes.
              if (!ended(pod))
                api.terminatePod(pod.metadata?.name ?? '', { exitCode: 143, reason: 'Error', phase: 'Failed' });
              api.deletePod(pod.metadata?.name ?? '');
            }
          }
        }
        return;
      }
    }

    // ---- Pods ----
    if (podsPath && method === 'GET') {
      const ns = decodeURIComponent(podsPath[1] as string);
      const selector = parseLabelSelector(url.searchParams.get('labelSelector'));
      const matching = () =>
        [...pods.values()].filter((p) => p.metadata?.namespace === ns && selector(p.metadata?.labels));
      if (url.searchParams.get('watch') !== 'true') {
        return send(res, 200, {
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: String(rv) },
          items: matching(),
        });
      }
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const from = url.searchParams.get('resourceVersion');
      if (!from || from === '0') {
        for (const pod of matching()) res.write(`${JSON.stringify({ type: 'ADDED', object: pod })}\n`);
      } else if (Number(from) < compactedAt) {
        res.write(
          `${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${compactedAt})`) })}\n`,
        );
        res.end();
        return;
      } else {
        for (const e of history) {
          if (e.rv > Number(from) && e.pod.metadata?.namespace === ns && selector(e.pod.metadata?.labels)) {
            res.write(`${JSON.stringify({ type: e.type, object: e.pod })}\n`);
          }
        }
      }
      const conn: WatchConn = { res, namespace: ns, selector, timer: null };
      const timeout = Number(url.searchParams.get('timeoutSeconds'));
      if (timeout > 0) {
        conn.timer = setTimeout(() => {
          watches.delete(conn);
          res.end();
        }, timeout * 1000);
      }
      watches.add(conn);
      req.on('close', () => {
        if (conn.timer) clearTimeout(conn.timer);
        watches.delete(conn);
      });
      return;
    }
    if (logPath && method === 'GET') {
      const ns = decodeURIComponent(logPath[1] as string);
      const name = decodeURIComponent(logPath[2] as string);
      const podKey = key(ns, name);
      const pod = pods.get(podKey);
      if (!pod) return fail(res, 404, `pods "${name}" not found`, { name, kind: 'pods' });
      const container = url.searchParams.get('container') ?? pod.spec?.containers[0]?.name;
      const cs = pod.status?.containerStatuses?.find((c) => c.name === container);
      if (!cs?.state?.running && !cs?.state?.terminated) {
        return fail(
          res,
          400,
          `container "${container}" in pod "${name}" is waiting to start: ${cs?.state?.waiting?.reason ?? 'ContainerCreating'}`,
        );
      }
      const timestamps = url.searchParams.get('timestamps') === 'true';
      const since = url.searchParams.get('sinceTime');
      // The API server parses sinceTime as RFC 3339 to the second.
      const sinceMs = since ? Math.floor(Date.parse(since) / 1000) * 1000 : null;
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      for (const e of logs.get(podKey) ?? []) {
        if (sinceMs !== null && Date.parse(e.ts) < sinceMs) continue;
        res.write(timestamps ? `${e.ts} ${e.line}` : e.line);
      }
      if (url.searchParams.get('follow') !== 'true' || ended(pod)) {
        res.end();
        return;
      }
      const conn: LogConn = { res, pod: podKey, timestamps };
      logConns.add(conn);
      req.on('close', () => logConns.delete(conn));
      return;
    }
    fail(res, 404, `the server could not find the requested resource (${method} ${url.pathname})`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) fail(res, 500, String(error));
      else res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  api.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return api;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : null;
}

/** The RBAC verb, group and resource a request needs, for the paths this fake serves. */
function accessOf(method: string, url: URL): { verb: string; group: string; resource: string } | null {
  const path = url.pathname;
  const watch = url.searchParams.get('watch') === 'true';
  if (/^\/apis\/batch\/v1\/namespaces\/[^/]+\/jobs$/.test(path)) {
    return { verb: method === 'POST' ? 'create' : watch ? 'watch' : 'list', group: 'batch', resource: 'jobs' };
  }
  if (/^\/apis\/batch\/v1\/namespaces\/[^/]+\/jobs\/[^/]+$/.test(path)) {
    return { verb: method === 'DELETE' ? 'delete' : 'get', group: 'batch', resource: 'jobs' };
  }
  if (/^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(path))
    return { verb: watch ? 'watch' : 'list', group: '', resource: 'pods' };
  if (/^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/log$/.test(path))
    return { verb: 'get', group: '', resource: 'pods/log' };
  if (/^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+$/.test(path)) return { verb: 'get', group: '', resource: 'pods' };
  return null;
}
