import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, expect, it } from 'vitest';
import type { AgentReport, Transport } from '../ports';
import { eventually } from '../testing/trial-job';
import { unlinkKeysUnder } from '../testing/unlink-keys';
import { createRedisTransport } from './create-redis-transport';
import type { RedisTransportOptions } from './redis-options';
import { attemptKey, CONTROLLER_SENDER, type ReportVerifier, reportMac } from './report-signing';

// Signed report entries on a real Redis: the consumer hands on only what verifies, with its sender.
const url = 'redis://127.0.0.1:6379/0';
const admin = new Redis(url);
const prefix = `hf-test-${randomUUID().slice(0, 8)}`;
const opened: Transport[] = [];
const keys = new Map([
  ['agent-a', randomBytes(32)],
  ['agent-b', randomBytes(32)],
  [CONTROLLER_SENDER, randomBytes(32)],
]);
const refused: Array<{ sweepId: string; sender: string | null; reason: string }> = [];
const verifier: ReportVerifier = { keyOf: (s) => keys.get(s), onRefused: (r) => void refused.push(r) };

function open(over: Partial<RedisTransportOptions>): Transport {
  const t = createRedisTransport({ url, prefix, closeTimeoutMs: 1000, onError: () => {}, ...over });
  opened.push(t);
  return t;
}

const started = (trialId: string, agentId: string): AgentReport => ({
  type: 'started',
  trialId,
  attempt: 1,
  agentId,
  at: 1,
});

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((t) => t.close()));
  await unlinkKeysUnder(admin, prefix);
  refused.splice(0);
});
afterAll(async () => {
  await admin.quit();
});

it('hands on signed entries with their sender and refuses unsigned, forged and replayed-elsewhere ones', async () => {
  const controller = open({ verifier });
  const got: Array<[string, string | undefined]> = [];
  controller.reports.subscribe('sw1', 'c1', async (reports, senders) => {
    for (const [i, r] of reports.entries()) got.push([r.trialId, senders?.[i]]);
  });
  await open({ signer: { sender: 'agent-a', key: keys.get('agent-a') as Buffer } }).reports.publish('sw1', [
    started('t1', 'agent-a'),
  ]);
  await open({}).reports.publish('sw1', [started('t2', 'agent-b')]); // unsigned
  const stream = `${prefix}:reports:sw1`;
  const payload = JSON.stringify([started('t3', 'agent-a')]);
  // B's key cannot make A's MAC; a sender nobody knows has no key; an entry signed for sweep sw2 does not verify here.
  await admin.xadd(stream, '*', 'r', payload, 'a', 'agent-a', 'm', reportMac(keys.get('agent-b')!, 'sw1', payload));
  await admin.xadd(stream, '*', 'r', payload, 'a', 'agent-x', 'm', reportMac(keys.get('agent-b')!, 'sw1', payload));
  await admin.xadd(stream, '*', 'r', payload, 'a', 'agent-a', 'm', reportMac(keys.get('agent-a')!, 'sw2', payload));
  await open({ signer: { sender: CONTROLLER_SENDER, key: keys.get(CONTROLLER_SENDER)! } }).reports.publish('sw1', [
    started('t4', ''),
  ]);
  await eventually(() => got.length + refused.length >= 6);
  expect(got).toEqual([
    ['t1', 'agent-a'],
    ['t4', CONTROLLER_SENDER],
  ]);
  expect(refused.map((r) => [r.sender, r.reason])).toEqual([
    [null, 'the entry is not signed'],
    ['agent-a', "the entry's MAC does not match its sender's key"],
    ['agent-x', 'no agent "agent-x" is registered'],
    ['agent-a', "the entry's MAC does not match its sender's key"],
  ]);
  // Refused entries are acknowledged: nothing is left pending for redelivery.
  await eventually(async () => ((await admin.xpending(stream, 'controller')) as unknown[])[0] === 0);
});

it('without a verifier the handler gets no senders (embedded mode and unsigned fleets)', async () => {
  const seen: unknown[] = [];
  open({}).reports.subscribe('sw1', 'c1', async (_reports, senders) => void seen.push(senders));
  await open({ signer: { sender: 'agent-a', key: keys.get('agent-a')! } }).reports.publish('sw1', [
    started('t1', 'agent-a'),
  ]);
  await eventually(() => seen.length === 1);
  expect(seen).toEqual([undefined]);
});

it('a key for one attempt (a pod’s) signs reports about that attempt only', async () => {
  const got: string[] = [];
  open({ verifier }).reports.subscribe('sw1', 'c1', async (reports) => void got.push(...reports.map((r) => r.trialId)));
  const pod = (attempt: string) =>
    open({ signer: { sender: 'agent-a', key: attemptKey(keys.get('agent-a')!, attempt), attempt } });
  await pod('t1.a1').reports.publish('sw1', [started('t1', 'agent-a')]);
  await pod('t1.a1').reports.publish('sw1', [started('t2', 'agent-a')]);
  await eventually(() => got.length + refused.length >= 2);
  expect(got).toEqual(['t1']);
  expect(refused.map((r) => r.reason)).toEqual(['a key for attempt t1.a1 signed reports about another attempt']);
});
