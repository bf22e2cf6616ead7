import { randomBytes, randomUUID } from 'node:crypto';
import { openStore } from '@hyperfleet/store';
import { CONTROLLER_SENDER } from '@hyperfleet/transport';
import { Redis } from 'ioredis';
import { afterAll, afterEach, expect, it } from 'vitest';
import { AgentCredentials, type AgentCredentialsOptions, aclUser, podAclUser } from './agent-credentials';
import { AGENT_SECRET_ENV } from './agent-keys';

// Real Redis (7, ACL): the users made here are deleted afterwards, keys live under a unique prefix.
const url = 'redis://127.0.0.1:6379';
const admin = new Redis(url);
const prefix = `hf-test-${randomUUID().slice(0, 8)}`;
const opened: AgentCredentials[] = [];
const clients: Redis[] = [];

// The store the replicas share (a real SQLite store): where a generated fleet secret is kept.
const store = await openStore(':memory:');

async function open(over: Partial<AgentCredentialsOptions> = {}): Promise<AgentCredentials> {
  const c = await AgentCredentials.open({
    redisUrl: url,
    prefix,
    access: { kind: 'acl' },
    secrets: store,
    env: {},
    ...over,
  });
  opened.push(c);
  return c;
}

function connect(to: string): Redis {
  const c = new Redis(to, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await Promise.all(opened.splice(0).map((c) => c.close()));
  const users = ((await admin.call('ACL', 'USERS')) as string[]).filter(
    (u) => u.startsWith(`hf-agent:${prefix}:`) || u.startsWith(`hf-pods:${prefix}:`),
  );
  if (users.length > 0) await admin.call('ACL', 'DELUSER', ...users);
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.del(...keys);
});
afterAll(async () => {
  await store.close();
  await admin.quit();
});

it('issues a Redis user per agent that logs in, the same on every registration and replica', async () => {
  const one = await open();
  const grant = await one.issue({ agentId: 'a1', pool: 'gpu' });
  expect(decodeURIComponent(new URL(grant.redisUrl).username)).toBe(aclUser(prefix, 'a1'));
  const client = connect(grant.redisUrl);
  await client.connect();
  expect(await client.call('ACL', 'WHOAMI')).toBe(aclUser(prefix, 'a1'));
  expect(await client.call('ACL', 'LIST').catch((e: Error) => e.message)).toMatch(/^NOPERM/);
  expect(await client.llen(`${prefix}:trials:gpu:wait`)).toBe(0);
  // Another replica (same store, so the same secret) hands out the same password and key, and so does one
  // started after Redis lost everything (no persistence): the secret is kept in the store, not in Redis.
  const two = await open();
  expect(await two.issue({ agentId: 'a1', pool: 'gpu' })).toEqual(grant);
  for (const key of await admin.keys(`${prefix}:*`)) await admin.del(key);
  const three = await open();
  expect(await three.issue({ agentId: 'a1', pool: 'gpu' })).toEqual(grant);
  expect((await one.issue({ agentId: 'a2', pool: 'gpu' })).reportKey).not.toBe(grant.reportKey);
});

it('the pods’ user may append to report streams and do nothing else', async () => {
  const creds = await open();
  const { podRedisUrl } = await creds.issue({ agentId: 'a1', pool: 'gpu' });
  expect(decodeURIComponent(new URL(podRedisUrl).username)).toBe(podAclUser(prefix, 'a1'));
  const pod = connect(podRedisUrl);
  await pod.connect();
  expect(await pod.xadd(`${prefix}:reports:sw`, '*', 'r', '[]')).toMatch(/^\d+-\d+$/);
  expect(await pod.pexpire(`${prefix}:reports:sw`, 60_000)).toBe(1);
  for (const command of [
    ['XRANGE', `${prefix}:reports:sw`, '-', '+'],
    ['DEL', `${prefix}:reports:sw`],
    ['LLEN', `${prefix}:trials:gpu:wait`],
    ['XADD', `${prefix}:logs:t1`, '*', 'c', 'x'],
    ['EXISTS', `${prefix}:stop:t1`],
    ['SUBSCRIBE', `${prefix}:control`],
  ]) {
    expect(await pod.call(command[0]!, ...command.slice(1)).catch((e: Error) => e.message), command.join(' ')).toMatch(
      /^NOPERM/,
    );
  }
  await creds.revoke('a1');
  expect(((await admin.call('ACL', 'USERS')) as string[]).includes(podAclUser(prefix, 'a1'))).toBe(false);
});

it('revoking deletes the user, refuses the id and its reports from then on', async () => {
  const creds = await open();
  const grant = await creds.issue({ agentId: 'a1', pool: 'gpu' });
  const verifier = creds.verifier(() => {});
  expect(verifier.keyOf('a1')?.toString('hex')).toBe(grant.reportKey);
  expect(await creds.revoke('a1')).toBe(true);
  expect(await creds.revoke('a1')).toBe(false);
  expect(await creds.isRevoked('a1')).toBe(true);
  expect(verifier.keyOf('a1')).toBeUndefined();
  expect(verifier.keyOf(CONTROLLER_SENDER)).toEqual(creds.signer().key);
  expect(((await admin.call('ACL', 'USERS')) as string[]).includes(aclUser(prefix, 'a1'))).toBe(false);
  // Another replica learns of it from Redis.
  expect(await (await open()).isRevoked('a1')).toBe(true);
});

it('revoking a token’s agents: every agent it registered, and only those', async () => {
  const creds = await open();
  await creds.issue({ agentId: 'a1', pool: 'gpu', registeredBy: 'gpu-fleet' });
  await creds.issue({ agentId: 'a2', pool: 'gpu', registeredBy: 'gpu-fleet' });
  await creds.issue({ agentId: 'a3', pool: 'cpu', registeredBy: 'cpu-fleet' });
  expect((await creds.revokeRegisteredBy('gpu-fleet')).sort()).toEqual(['a1', 'a2']);
  expect([await creds.isRevoked('a1'), await creds.isRevoked('a2'), await creds.isRevoked('a3')]).toEqual([
    true,
    true,
    false,
  ]);
});

it('forgets the users of agents gone for good: no heartbeat record and no registration for a day', async () => {
  const alive = ['a1'];
  const creds = await open({ liveAgents: async () => alive, forgetAfterMs: 86_400_000 });
  for (const agentId of ['a1', 'a2']) await creds.issue({ agentId, pool: 'gpu' });
  expect(await creds.forgetGone()).toEqual([]); // a2 registered just now: it may be starting
  expect(await creds.forgetGone(Date.now() + 2 * 86_400_000)).toEqual(['a2']);
  const users = (await admin.call('ACL', 'USERS')) as string[];
  expect(users.filter((u) => u.endsWith(`${prefix}:a1`))).toHaveLength(2); // the agent's and its pods'
  expect(users.filter((u) => u.endsWith(`${prefix}:a2`))).toEqual([]);
  expect(await creds.isRevoked('a2')).toBe(false); // not banned: it registers again if it comes back
});

it('a controller that may not manage ACL users refuses to start, naming the ways out', async () => {
  const user = aclUser(prefix, 'no-acl');
  const password = randomBytes(8).toString('hex');
  await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all', '-acl');
  const restricted = `redis://${encodeURIComponent(user)}:${password}@127.0.0.1:6379`;
  const failure = await open({ redisUrl: restricted }).catch((e: Error & { hint?: string }) => e);
  expect(failure).toMatchObject({ code: 'AGENT_ACL_UNAVAILABLE' });
  expect((failure as { hint: string }).hint).toMatch(/HYPERFLEET_AGENT_REDIS_URL/);
  expect((failure as { hint: string }).hint).toMatch(/--insecure-shared-redis/);
  // Asked for explicitly, the fallbacks work without ACL.
  const given = 'redis://agents:pw@redis:6379';
  expect((await open({ redisUrl: restricted, access: { kind: 'url', url: given } })).access).toEqual({
    kind: 'url',
    url: given,
  });
  const shared = await open({ redisUrl: restricted, access: { kind: 'shared' } });
  expect((await shared.issue({ agentId: 'a1', pool: 'p' })).redisUrl).toBe(restricted);
});

it('takes the fleet secret from HYPERFLEET_AGENT_SECRET when set, and refuses a short one', async () => {
  const secret = randomBytes(32).toString('hex');
  const a = await open({ env: { [AGENT_SECRET_ENV]: secret }, access: { kind: 'shared' } });
  const b = await open({ env: { [AGENT_SECRET_ENV]: secret }, access: { kind: 'shared' }, prefix: `${prefix}-2` });
  expect((await a.issue({ agentId: 'x', pool: 'p' })).reportKey).toBe(
    (await b.issue({ agentId: 'x', pool: 'p' })).reportKey,
  );
  await expect(open({ env: { [AGENT_SECRET_ENV]: 'short' } })).rejects.toMatchObject({ code: 'AGENT_SECRET_SHORT' });
});
