import { rmSync } from 'node:fs';
import { type RouteSpec, routes, SWEEP_ACTIONS } from '@hyperfleet/contract';
import { DASHBOARD_CLIENT_EVENTS } from '@hyperfleet/domain';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli';
import { Fleet, waitFor } from '../helpers/fleet';
import { callAs, connectDashboard, type Dash, submitAs, writeTokenFile } from '../helpers/projects';

/**
 * Issue 17, item 6: a bounded property-based fuzz of every API route (enumerated from the contract, so a new route is
 * fuzzed too) and every dashboard socket event, against one real `hyperfleet server` with two projects' data.
 * Deterministic: fast-check runs from SEED (FUZZ_SEED replays another); a failure prints the seed and path to replay.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 17_006);
const RUNS_PER_ROUTE = 30;
const RUNS_PER_EVENT = 40;

const T = {
  alice: 'fuzz-a-submit-secret-0001', // submit on team-a
  reader: 'fuzz-a-read-secret-0002', // read on team-a
  bob: 'fuzz-b-submit-secret-0003', // submit on team-b
};
const SWEEP_A_NAME = 'alpha-confidential-sweep';
const MODEL_A = 'alpha-confidential-model';

let dir: string;
let fleet: Fleet;
/** Team A's ids and names: none may reach a caller without a role on team-a unless it sent them itself. */
let secretsOfA: string[] = [];
const ids = { sweepA: '', trialA: '', sweepB: '', trialB: '' };

const call = (token: string, method: string, path: string, body?: unknown) => callAs(fleet, token, method, path, body);

/** What B must never change: A's sweep and its trials, as A's submitter reads them. */
async function stateOfA() {
  const { body } = await call(T.alice, 'GET', `/api/sweeps/${ids.sweepA}`);
  const models = await call(T.alice, 'GET', `/api/models/${MODEL_A}/versions`);
  return {
    sweep: [body.sweep.status, body.sweep.reason],
    trials: body.trials.map((t: { id: string; status: string }) => [t.id, t.status]),
    models: models.body,
  };
}

beforeAll(async () => {
  dir = tempDir('hf-fuzz-');
  const tokens = writeTokenFile(dir, [
    { name: 'alice-ci', token: T.alice, projects: { 'team-a': 'submit' } },
    { name: 'auditor-a', token: T.reader, projects: { 'team-a': 'read' } },
    { name: 'bob-ci', token: T.bob, projects: { 'team-b': 'submit' } },
  ]);
  // The rate limit is off: the fuzz's requests would otherwise meet 429s instead of the routes.
  fleet = new Fleet(dir, undefined, { serverArgs: ['--tokens', tokens, '--rate-limit', '0'] });
  await fleet.start();
  fleet.startAgent('a', 2);
  // A's first trial has printed its metrics and keeps running for the whole file; its second waits in the queue.
  ids.sweepA = await submitAs(fleet, T.alice, 'team-a', 600_000, SWEEP_A_NAME);
  ids.sweepB = await submitAs(fleet, T.bob, 'team-b', 0, 'bravo-sweep');
  ids.trialA = await waitFor('team A’s trial to report its metric', async () => {
    const { body } = await call(T.alice, 'GET', `/api/sweeps/${ids.sweepA}`);
    return body.trials.find((t: { status: string; metricValue: number | null }) => t.metricValue !== null)?.id as
      | string
      | undefined;
  });
  const b = await fleet.waitForSweepEnd(ids.sweepB);
  ids.trialB = b.trials[0]!.id;
  const registered = await call(T.alice, 'POST', `/api/models/${MODEL_A}/versions`, {
    trialId: ids.trialA,
    artifact: { hash: 'md5:alpha', size: 1, uri: 'file:///alpha-weights' },
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const a = await call(T.alice, 'GET', `/api/sweeps/${ids.sweepA}`);
  secretsOfA = [ids.sweepA, ...a.body.trials.map((t: { id: string }) => t.id), SWEEP_A_NAME, MODEL_A];
}, 120_000);

afterAll(async () => {
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

// --- generators -------------------------------------------------------------------------------------------------

type TokenKind = 'none' | 'bad' | 'reader' | 'bob';
const tokenArb = fc.constantFrom<TokenKind>('none', 'bad', 'reader', 'bob');
function authHeader(kind: TokenKind): Record<string, string> {
  if (kind === 'none') return {};
  if (kind === 'bad') return { authorization: 'Bearer not-a-token-of-this-fleet' };
  return { authorization: `Bearer ${kind === 'reader' ? T.reader : T.bob}` };
}

/** Segments as they go on the wire: already percent-encoded, or deliberately malformed. */
const BAD_SEGMENTS = [
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%zz',
  '%',
  '%C0%AF',
  '%FF%FE',
  '..',
  '%2e%2e',
  '%2F',
  'x'.repeat(5000),
];
function segmentArb(param: string): fc.Arbitrary<string> {
  const known = fc.constantFrom(
    ids.sweepA,
    ids.trialA,
    ids.sweepA.slice(0, 8),
    ids.sweepB,
    ids.trialB,
    MODEL_A,
    `${MODEL_A}@1`,
    `${MODEL_A}@latest`,
    `sha256:${'0'.repeat(64)}`,
    '1',
  );
  // Weighted towards real ids and actions, so requests get past validation to the project checks.
  const specific = param === 'action' ? [{ arbitrary: fc.constantFrom(...SWEEP_ACTIONS), weight: 6 }] : [];
  return fc.oneof(
    ...specific,
    { arbitrary: known.map(encodeURIComponent), weight: 4 },
    fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
    fc.string({ unit: 'binary', maxLength: 20 }).map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '?'))),
    fc.constantFrom(...BAD_SEGMENTS),
  );
}

function queryArb(route: RouteSpec): fc.Arbitrary<string> {
  const shape = (route.query as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  const key = fc.oneof(
    fc.constantFrom(...Object.keys(shape), 'limit', 'key[a][b]', 'cursor'),
    fc.string({ maxLength: 8 }),
  );
  const value = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
    fc.integer().map(String),
    fc.constantFrom('true', 'false', '-1', '1e309', 'NaN', '', ...BAD_SEGMENTS),
  );
  return fc.array(fc.tuple(key, value), { maxLength: 4 }).map((pairs) =>
    pairs
      // A long poll holds the request for its whole `wait`: kept short so the fuzz stays bounded.
      .map(([k, v]) => [k, k === 'wait' && Number(v) > 50 ? '50' : v])
      .map(([k, v]) => `${encodeURIComponent(k ?? '')}=${v}`)
      .join('&'),
  );
}

interface Body {
  contentType: string;
  bytes: Uint8Array | string;
}
const json = (value: unknown): Body => ({ contentType: 'application/json', bytes: JSON.stringify(value) ?? 'null' });
const nest = (depth: number, inner: string) => `${'{"a":['.repeat(depth)}${inner}${']}'.repeat(depth)}`;

/** Bodies near the routes' own shapes (so validation passes further in) and far from them. */
function bodyArb(): fc.Arbitrary<Body | undefined> {
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const nearShape = fc
    .record(
      {
        config: fc.oneof(
          anyJson,
          fc.record({
            method: fc.constantFrom('grid', 'random', 'bayes', 'nope'),
            project: fc.constantFrom('team-a', 'team-b', 'default', ''),
            command: fc.constant(['true']),
            parameters: fc.oneof(fc.constant({ x: { values: [1] } }), anyJson),
          }),
        ),
        cwd: fc.oneof(fc.constant('/tmp'), anyJson),
        trialId: fc.oneof(fc.constantFrom(ids.trialA, ids.trialB), anyJson),
        artifact: fc.oneof(fc.constant({ hash: 'md5:x', size: 1, uri: 'u' }), anyJson),
        version: fc.oneof(fc.constant(1), anyJson),
        project: fc.constantFrom('team-a', 'team-b'),
        role: fc.constantFrom('read', 'submit', 'admin', 'promote'),
        name: fc.string({ unit: 'binary', maxLength: 30 }),
        reason: fc.string({ unit: 'binary', maxLength: 30 }),
      },
      { requiredKeys: [] },
    )
    .map(json);
  const invalidUtf8 = fc.constantFrom([0xff, 0xfe], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80]).map((bad) => ({
    contentType: 'application/json',
    bytes: new Uint8Array([...Buffer.from('{"cwd":"'), ...bad, ...Buffer.from('","name":"x"}')]),
  }));
  return fc.oneof(
    fc.constant(undefined),
    anyJson.map(json),
    { arbitrary: nearShape, weight: 4 },
    fc.integer({ min: 100, max: 6000 }).map((d) => ({ contentType: 'application/json', bytes: nest(d, '1') })),
    fc.integer({ min: 1, max: 2_000_000 }).map((n) => json({ config: 'x'.repeat(n), cwd: 'y' })),
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => json({ name: `${s}\u0000`, cwd: s })),
    invalidUtf8,
    fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ contentType: 'application/octet-stream', bytes })),
    fc.string({ maxLength: 50 }).map((s) => ({ contentType: 'application/json', bytes: `{${s}` })),
  );
}

const allRoutes: [string, RouteSpec][] = Object.entries(routes).flatMap(([area, rs]) =>
  Object.entries(rs as Record<string, RouteSpec>).map(([name, r]): [string, RouteSpec] => [`${area}.${name}`, r]),
);

// --- the fuzz ---------------------------------------------------------------------------------------------------

describe('fuzzing every route of the contract', () => {
  let before: Awaited<ReturnType<typeof stateOfA>>;
  let logsBefore = 0;
  beforeAll(async () => {
    before = await stateOfA();
    logsBefore = fleet.logs.length;
  });

  it('the contract has routes to fuzz', () => {
    expect(allRoutes.length).toBeGreaterThan(20);
  });

  for (const [name, route] of allRoutes) {
    it(`${name}: ${route.method} ${route.path}: no 5xx, JSON errors, nothing of team A to B`, async () => {
      const paramNames = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
      const pathArb = fc.tuple(...paramNames.map(segmentArb)).map((segs) => {
        let i = 0;
        return route.path.replace(/:([A-Za-z]+)/g, () => segs[i++] ?? '');
      });
      const bodyOrNone = route.method === 'GET' ? fc.constant(undefined) : bodyArb();
      // First, each of A's objects in every parameter with B's and the reader's token: the cases that matter most.
      const fixed: Record<string, string> = { action: 'cancel', version: '1', alias: 'production' };
      const examples = [ids.sweepA, ids.trialA, MODEL_A].flatMap((id) =>
        (['bob', 'reader'] as const).map((token): [string, string, Body | undefined, TokenKind] => [
          route.path.replace(/:([A-Za-z]+)/g, (_, p: string) => encodeURIComponent(fixed[p] ?? id)),
          '',
          route.method === 'GET' ? undefined : json({}),
          token,
        ]),
      );
      await fc.assert(
        fc.asyncProperty(pathArb, queryArb(route), bodyOrNone, tokenArb, async (path, query, body, token) => {
          const url = `${path}${query ? `?${query}` : ''}`;
          const headers: Record<string, string> = { ...authHeader(token) };
          if (body) headers['content-type'] = body.contentType;
          const res = await fetch(`${fleet.url}${url}`, {
            method: route.method,
            headers,
            body: body?.bytes,
            signal: AbortSignal.timeout(20_000),
          });
          const text = await res.text();
          const what = `${route.method} ${url.slice(0, 300)} (token ${token})`;
          expect(res.status, what).toBeLessThan(500);
          if (token === 'none' || token === 'bad') expect(res.status, what).toBeGreaterThanOrEqual(400);
          if (res.status >= 400) {
            expect(res.headers.get('content-type'), what).toMatch(/application\/json/);
            const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
            expect(typeof error?.code, `${what}: ${text}`).toBe('string');
            expect(typeof error?.message, `${what}: ${text}`).toBe('string');
          }
          if (token !== 'reader') {
            // What the caller sent itself may come back (an id in "no sweep <id>"); nothing else of team A.
            const sent = `${decodeSafely(url)} ${body ? Buffer.from(body.bytes).toString('utf8') : ''}`;
            const leaked = secretsOfA.filter((s) => text.includes(s) && !sent.includes(s));
            expect(leaked, `${what}: ${text.slice(0, 500)}`).toEqual([]);
            // An A object named in the path is "not found" (or refused) for anyone without a role on team-a.
            const namesA = secretsOfA.some((s) => decodeSafely(path).includes(s));
            if (namesA) expect(res.status, `${what}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, examples, endOnFailure: true },
      );
    });
  }

  it('afterwards: the server is alive, logged no error, and team A’s sweep, trials and model are as they were', async () => {
    expect(fleet.crashes).toEqual([]);
    expect((await fetch(`${fleet.url}/healthz`)).status).toBe(200);
    const errors = fleet.logs
      .slice(logsBefore)
      .filter((l) => l.startsWith('[server]') && l.includes('"level":"error"'));
    expect(errors).toEqual([]);
    expect(await stateOfA()).toEqual(before);
  });
});

describe('fuzzing every dashboard socket event', () => {
  async function connect(token: string): Promise<Dash> {
    const socket = await connectDashboard(fleet, token);
    droppedOf.set(
      socket,
      new Promise<never>((_, reject) =>
        socket.once('disconnect', (why) => reject(new Error(`socket dropped: ${why}`))),
      ),
    );
    droppedOf.get(socket)?.catch(() => {});
    return socket;
  }
  /** Rejects when the server ends the connection: a request then fails at once instead of waiting for its ack. */
  const droppedOf = new Map<Dash, Promise<never>>();
  type Reply = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };
  /** Emits with an ack function last; waits for it only where the event takes its ack (a missing one is a hang). */
  function emit(socket: Dash, event: string, args: unknown[], stray: Reply[] = []): Promise<Reply | undefined> {
    const send = socket.emit as (ev: string, ...a: unknown[]) => void;
    const dropped = droppedOf.get(socket) as Promise<never>;
    const ackAt: number | null = DASHBOARD_CLIENT_EVENTS[event as keyof typeof DASHBOARD_CLIENT_EVENTS];
    if (ackAt === args.length)
      return Promise.race([dropped, new Promise<Reply>((resolve) => send.call(socket, event, ...args, resolve))]);
    send.call(socket, event, ...args, (r: Reply) => stray.push(r));
    // A request the server answers in order after the one above: the barrier before the next check.
    return Promise.race([dropped, new Promise<undefined>((resolve) => send.call(socket, 'sweeps:watch', resolve))]);
  }
  /** An ack: data (none of A's unless the socket reads team-a), or a refusal; never INTERNAL. */
  function checkReply(reply: Reply, what: string, readsA = false): void {
    if (reply.ok) {
      if (readsA) return;
      const leaked = secretsOfA.filter((s) => JSON.stringify(reply.data).includes(s));
      expect(leaked, what).toEqual([]);
    } else {
      expect(typeof reply.error.message, what).toBe('string');
      expect(['BAD_REQUEST', 'NOT_FOUND', 'TOO_MANY_ROOMS'], `${what}: ${reply.error.message}`).toContain(
        reply.error.code,
      );
    }
  }

  it('refuses a socket without a token or with a bad one', async () => {
    for (const token of ['', 'not-a-token-of-this-fleet']) {
      await expect(connect(token)).rejects.toBeTruthy();
    }
  });

  it("B's and the reader's sockets: arbitrary payloads on every event answer data or a refusal, never A's to B, and no A event reaches B", async () => {
    const bob = await connect(T.bob);
    const alice = await connect(T.alice);
    const reader = await connect(T.reader);
    const logsBefore = fleet.logs.length;
    const arrived: string[] = [];
    bob.onAny((event: string, ...args: unknown[]) => arrived.push(`${event} ${JSON.stringify(args)}`));
    try {
      const idOrJunk = fc.oneof(
        fc.constantFrom(ids.sweepA, ids.trialA, ids.sweepA.slice(0, 8), ids.sweepB, ids.trialB),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.jsonValue({ maxDepth: 3 }),
      );
      const payload = fc.oneof(
        {
          arbitrary: fc.record(
            { sweepId: idOrJunk, trialId: idOrJunk, maxPointsPerCurve: fc.oneof(fc.double(), fc.jsonValue()) },
            { requiredKeys: [] },
          ),
          weight: 4,
        },
        fc.jsonValue({ maxDepth: 5 }),
        // Two of these stay under the gateway's 64 KiB message cap (a bigger message ends the connection, by design).
        fc.constantFrom(null, undefined, 0, '', 'x'.repeat(30_000)),
        fc.integer({ min: 10, max: 2000 }).map((d) => JSON.parse(nest(d, '1')) as unknown),
      );
      const stray: Reply[] = [];
      // First, well-formed requests for A's rooms (by id and by prefix), then arbitrary ones.
      const requestsForA: [unknown[]][] = [
        [[{ sweepId: ids.sweepA, trialId: ids.trialA }]],
        [[{ sweepId: ids.sweepA.slice(0, 8), trialId: ids.trialA, maxPointsPerCurve: 1e9 }]],
      ];
      // B's socket, then the reader's: its joins of A's rooms succeed, so snapshots are built from fuzzed sizes.
      for (const [socket, readsA] of [
        [bob, false],
        [reader, true],
      ] as const) {
        for (const event of Object.keys(DASHBOARD_CLIENT_EVENTS)) {
          await fc.assert(
            fc.asyncProperty(fc.array(payload, { maxLength: 2 }), async (args) => {
              const what = `${event} ${JSON.stringify(args)?.slice(0, 200)}`;
              const reply = await emit(socket, event, args, stray);
              if (reply !== undefined) checkReply(reply, what, readsA);
              expect(socket.connected, what).toBe(true);
            }),
            { seed: SEED, numRuns: RUNS_PER_EVENT, examples: requestsForA, endOnFailure: true },
          );
        }
        for (const reply of stray.splice(0)) checkReply(reply, 'an ack given out of place', readsA);
      }
      // Direct joins of A's rooms with well-formed requests: refused as "not found".
      for (const [event, req] of [
        ['sweep:join', { sweepId: ids.sweepA }],
        ['trial:join', { trialId: ids.trialA }],
      ] as const) {
        expect(await emit(bob, event, [req])).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      }
      // A's sweep changes while B's socket watches: Alice sees it, B's socket gets nothing of it.
      expect(await emit(alice, 'sweep:join', [{ sweepId: ids.sweepA }])).toMatchObject({ ok: true });
      await emit(alice, 'sweeps:watch', []);
      const aliceSaw = new Promise((resolve) =>
        alice.on('sweeps:update', (s) => s.id === ids.sweepA && s.status === 'paused' && resolve(s)),
      );
      expect((await call(T.alice, 'POST', `/api/sweeps/${ids.sweepA}/pause`)).status).toBe(200);
      await aliceSaw;
      expect((await call(T.alice, 'POST', `/api/sweeps/${ids.sweepA}/resume`)).status).toBe(200);
      // One more round trip on B's socket: anything sent to it with A's updates has arrived before this ack.
      await emit(bob, 'sweeps:watch', []);
      expect(arrived.filter((a) => secretsOfA.some((s) => a.includes(s)))).toEqual([]);
      expect(fleet.crashes).toEqual([]);
      const errors = fleet.logs
        .slice(logsBefore)
        .filter((l) => l.startsWith('[server]') && /"level":"(error|warn)"/.test(l));
      expect(errors).toEqual([]);
    } finally {
      bob.close();
      alice.close();
      reader.close();
    }
  });
});

function decodeSafely(url: string): string {
  try {
    return `${url} ${decodeURIComponent(url)}`;
  } catch {
    return url;
  }
}
