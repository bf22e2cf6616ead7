import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { reportMac } from '@hyperfleet/transport';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';
import { ADMIN, Fleet, freePort, WORKER, waitFor } from '../helpers/fleet';
import { PG_URL } from '../helpers/postgres';
import { PrivateRedis } from '../helpers/private-redis';
import { quadratic } from '../helpers/sweep-file';

// Issue 17, item 3 on a real fleet (a password-protected redis-server of its own, `hyperfleet server`, a real
// agent A): an agent's registration hands out a Redis user of its own that reaches only its own work, and
// reports it signs about attempts it does not hold are refused and audited.
const PASSWORD = randomBytes(16).toString('hex');
let dir: string;
let redis: PrivateRedis;
let fleet: Fleet;
const clients: Redis[] = [];

interface Grant {
  agentId: string;
  redisUrl: string;
  reportKey: string;
}

async function register(agentId: string, pool: string): Promise<Response> {
  return fetch(`${fleet.url}/api/agents/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WORKER}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agentId, host: 'attacker', pool, slots: 1, gpus: [], version: 'x' }),
  });
}

function connect(url: string, readyCheck = true): Redis {
  // No retries: a refused connection must say so, not wait for Redis to change its mind.
  const client = new Redis(url, {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
    enableReadyCheck: readyCheck,
  });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

async function refusal(client: Redis, ...command: string[]): Promise<string> {
  try {
    await client.call(command[0] as string, ...command.slice(1));
    return 'allowed';
  } catch (err) {
    return (err as Error).message;
  }
}

async function events(type: string): Promise<{ actor: string | null; data: Record<string, unknown> }[]> {
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  try {
    const res = await db.query(`select actor, data from "${fleet.schemaName}".events where type = $1 order by id`, [
      type,
    ]);
    return res.rows.map((r) => ({ actor: r.actor, data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data }));
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  dir = tempDir('hf-agent-creds-');
  redis = new PrivateRedis(PASSWORD);
  await redis.start();
  fleet = new Fleet(dir, redis.url, { privateRedis: true });
  await fleet.start();
  fleet.startAgent('a', 1);
  await waitFor('agent a', async () => (await fleet.api<{ agents: unknown[] }>('/api/agents')).agents.length === 1);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await fleet?.close();
  await redis?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('agent credentials', () => {
  let b: Grant;
  let sweepId: string;

  it('registration hands out a Redis user of the agent’s own and a report key, never the fleet’s password', async () => {
    const res = await register(fleet.agentId('b'), 'other');
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain(PASSWORD);
    b = JSON.parse(text) as Grant;
    expect(decodeURIComponent(new URL(b.redisUrl).username)).toBe(`hf-agent:${fleet.prefix}:${fleet.agentId('b')}`);
    expect(b.reportKey).toMatch(/^[0-9a-f]{64}$/);
    await waitFor('the start-up line', async () =>
      /agent credentials: a Redis ACL user per agent/.test(fleet.logs.join('\n')),
    );
  });

  it('a normal sweep runs on agent A under its restricted user', async () => {
    sweepId = await fleet.submit({
      method: 'grid',
      program: quadratic,
      metric: { name: 'loss', goal: 'minimize' },
      parameters: { x: { values: [0.3] }, sleep_ms: { value: 5000 } },
    });
    await waitFor('the trial running on agent a', async () => {
      const { trials } = await fleet.sweep(sweepId);
      return trials[0]?.status === 'running' && trials[0];
    });
  }, 60_000);

  it('with agent B’s credentials: no sweep’s reports, no other pool’s queue, no key listing or admin commands', async () => {
    const client = connect(b.redisUrl);
    await client.connect();
    const p = fleet.prefix;
    // What B's own work needs still works: the refusals below are its limits, not a failed login.
    expect(await refusal(client, 'EXISTS', `${p}:stop:t1`)).toBe('allowed');
    expect(await refusal(client, 'LLEN', `${p}:trials:other:wait`)).toBe('allowed');
    for (const command of [
      ['XRANGE', `${p}:reports:${sweepId}`, '-', '+'],
      ['XREADGROUP', 'GROUP', 'controller', 'b', 'STREAMS', `${p}:reports:${sweepId}`, '>'],
      ['LRANGE', `${p}:trials:default:wait`, '0', '-1'],
      ['HGETALL', `${p}:trials:default:meta`],
      ['XRANGE', `${p}:logs:x`, '-', '+'],
      // Appending is all B may do to a report stream: not lose, skip or acknowledge other sweeps' entries.
      ['DEL', `${p}:reports:${sweepId}`],
      ['XTRIM', `${p}:reports:${sweepId}`, 'MAXLEN', '0'],
      ['XGROUP', 'DESTROY', `${p}:reports:${sweepId}`, 'controller'],
      ['XGROUP', 'SETID', `${p}:reports:${sweepId}`, 'controller', '$'],
      ['XACK', `${p}:reports:${sweepId}`, 'controller', '0-1'],
      ['XDEL', `${p}:reports:${sweepId}`, '0-1'],
      ['DEL', `${p}:logs:x`],
      ['GET', `${p}:ctl:agent-secret`],
      ['SET', `${p}:stop:x`, '1'],
      ['KEYS', '*'],
      ['SCAN', '0'],
      ['FLUSHALL'],
      ['CONFIG', 'GET', 'requirepass'],
      ['ACL', 'LIST'],
      ['PUBLISH', `${p}:control`, '{"type":"stop","trialId":"x"}'],
    ]) {
      expect(await refusal(client, ...command), command.join(' ')).toMatch(/^NOPERM/);
    }
  });

  it('a report signed by agent B about the attempt agent A holds is refused, audited, and changes nothing', async () => {
    const { trials } = await fleet.sweep(sweepId);
    const trialId = trials[0]?.id as string;
    const a = fleet.agentId('a');
    const forged = (agentId: string) =>
      JSON.stringify([
        { type: 'metrics', trialId, attempt: 1, points: [{ key: 'loss', step: 9, value: -1000, timestamp: 1 }] },
        {
          type: 'finished',
          trialId,
          attempt: 1,
          agentId,
          at: Date.now(),
          result: {
            outcome: 'succeeded',
            exitCode: 0,
            signal: null,
            error: null,
            durationMs: 1,
            finalMetrics: { loss: -1000 },
            malformedLines: 0,
          },
        },
      ]);
    const client = connect(b.redisUrl);
    const stream = `${fleet.prefix}:reports:${sweepId}`;
    const key = Buffer.from(b.reportKey, 'hex');
    const asB = forged(b.agentId);
    // B signs as itself about A's attempt; then B passes its entry off as A's (its key cannot make A's MAC).
    await client.xadd(stream, '*', 'r', asB, 'a', b.agentId, 'm', reportMac(key, sweepId, asB));
    const asA = forged(a);
    await client.xadd(stream, '*', 'r', asA, 'a', a, 'm', reportMac(key, sweepId, asA));

    const refused = await waitFor('both forgeries audited', async () => {
      const list = await events('report.refused');
      return list.length >= 2 && list;
    });
    expect(refused.find((e) => e.actor === b.agentId)?.data.reason).toMatch(/held by agent/);
    expect(refused.find((e) => e.actor === a)?.data.reason).toMatch(/MAC does not match/);

    const { sweep, trials: ended } = await fleet.waitForSweepEnd(sweepId);
    expect(sweep.status, fleet.logs.join('\n')).toBe('finished');
    expect(ended[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(ended[0]?.metricValue).toBeCloseTo(1 / 3);
    expect((await fleet.attempts(trialId)).map((t) => t.worker)).toEqual([a]);
  }, 90_000);

  it('a revoked agent is cut off at once and may not register again', async () => {
    const open = connect(b.redisUrl);
    await open.connect();
    expect(await refusal(open, 'EXISTS', `${fleet.prefix}:stop:t1`)).toBe('allowed');
    expect(await fleet.api(`/api/agents/${b.agentId}/revoke`, { method: 'POST' })).toEqual({
      agentId: b.agentId,
      revoked: true,
    });
    // Redis closed the connection B had open, and B's password opens no new one.
    expect(await refusal(open, 'EXISTS', `${fleet.prefix}:stop:t1`)).not.toBe('allowed');
    const url = new URL(b.redisUrl);
    const anonymous = connect(`redis://127.0.0.1:${url.port}`, false); // INFO before AUTH would be refused
    await anonymous.connect();
    const login = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
    expect(await refusal(anonymous, 'AUTH', ...login)).toMatch(/^WRONGPASS/);
    const again = await register(b.agentId, 'other');
    expect(again.status).toBe(403);
    expect(await again.text()).toMatch(/AGENT_REVOKED/);
    expect(await events('agent.revoked')).toEqual([{ actor: 'admin', data: { agentId: b.agentId, already: false } }]);

    // A real agent, revoked with the CLI: its heartbeats are refused from then on, so it drops out of the fleet.
    const cli = await runCli(['agent', 'revoke', fleet.agentId('a'), '--server', fleet.url], {
      cwd: dir,
      env: { HYPERFLEET_TOKEN: ADMIN },
    });
    expect(cli.stdout, cli.stderr).toMatch(/revoked: its Redis user is deleted/);
    await waitFor('agent a gone from the fleet', async () => {
      const { agents } = await fleet.api<{ agents: unknown[] }>('/api/agents');
      return agents.length === 0;
    });
    // The agent is told why, and stops rather than retry forever.
    await waitFor('agent a to stop', async () => !fleet.agentRunning('a'));
    expect(fleet.logs.join('\n')).toMatch(/agent .*-a was revoked by an admin.*stopping/);
  }, 60_000);

  it('an agent token an admin minted: revoking it cuts off every agent that registered with it', async () => {
    const minted = await runCli(
      ['token', 'create', '--project', '*', '--role', 'worker', '--name', 'pool-x', '--server', fleet.url, '--json'],
      { cwd: dir, env: { HYPERFLEET_TOKEN: ADMIN } },
    );
    expect(minted.code, minted.stderr).toBe(0);
    const token = (JSON.parse(minted.stdout) as { token: string }).token;
    const registerWith = (agentId: string) =>
      fetch(`${fleet.url}/api/agents/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agentId, host: 'h', pool: 'other', slots: 1, gpus: [], version: 'x' }),
      });
    const res = await registerWith(`${fleet.prefix}-c`);
    expect(res.status).toBe(200);
    const c = (await res.json()) as Grant;
    const open = connect(c.redisUrl);
    await open.connect();
    expect(await refusal(open, 'EXISTS', `${fleet.prefix}:stop:t1`)).toBe('allowed');
    // The agent token reads no project's data.
    expect((await fetch(`${fleet.url}/api/sweeps`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
    const revoked = await runCli(['token', 'revoke', 'pool-x', '--server', fleet.url], {
      cwd: dir,
      env: { HYPERFLEET_TOKEN: ADMIN },
    });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await refusal(open, 'EXISTS', `${fleet.prefix}:stop:t1`)).not.toBe('allowed');
    expect((await registerWith(`${fleet.prefix}-d`)).status).toBe(401);
    expect((await events('agent.revoked')).map((e) => e.data)).toContainEqual({
      agentId: `${fleet.prefix}-c`,
      token: 'pool-x',
    });
  }, 60_000);
});

describe('a Redis where the controller may not make ACL users', () => {
  const user = 'controller-without-acl';
  const password = randomBytes(12).toString('hex');
  let noAcl: string;

  beforeAll(async () => {
    const root = connect(redis.url);
    await root.connect();
    await root.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all', '-acl');
    noAcl = `redis://${user}:${password}@127.0.0.1:${redis.port}`;
  });

  it('the server refuses to start rather than hand agents its password, and names the ways out', async () => {
    const res = await runCli(
      ['server', '--port', String(await freePort()), '--host', '127.0.0.1', '--redis', noAcl, '--prefix', 'noacl'],
      {
        cwd: dir,
        env: { HYPERFLEET_TOKENS: `admin:${ADMIN},worker:${WORKER}`, HYPERFLEET_STORE: `sqlite:${dir}/noacl.sqlite` },
      },
    );
    expect(res.code, res.stdout).not.toBe(0);
    expect(res.stderr).toMatch(/cannot make Redis ACL users for its agents/);
    expect(res.stderr).toMatch(/HYPERFLEET_AGENT_REDIS_URL/);
    expect(res.stderr).toMatch(/--insecure-shared-redis/);
    expect(res.stderr + res.stdout).not.toContain(password);
  });

  it('--insecure-shared-redis hands out the server’s own URL, and says so at start-up', async () => {
    const shared = new Fleet(tempDir('hf-shared-redis-'), noAcl, {
      privateRedis: true,
      serverArgs: ['--insecure-shared-redis'],
    });
    try {
      await shared.start();
      await waitFor('the start-up warning', async () =>
        /WARNING: --insecure-shared-redis: agents get this server's own Redis/.test(shared.logs.join('\n')),
      );
      const res = await fetch(`${shared.url}/api/agents/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WORKER}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agentId: 'x', host: 'h', pool: 'p', slots: 1, gpus: [], version: 'x' }),
      });
      expect(((await res.json()) as Grant).redisUrl).toBe(noAcl);
    } finally {
      await shared.close();
      rmSync(shared.dir, { recursive: true, force: true });
    }
  }, 120_000);
});
