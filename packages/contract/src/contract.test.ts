import { HyperfleetError } from '@hyperfleet/domain';
import { describe, expect, it } from 'vitest';
import {
  parseResponse,
  pathOf,
  routeName,
  routes,
  submitSweepBody,
  UNEXPECTED_RESPONSE,
  UnexpectedResponseError,
  wireNumber,
  wireReplacer,
} from './index';

const trial = {
  id: 's1-0',
  sweepId: 's1',
  index: 0,
  status: 'succeeded',
  params: { lr: 0.1, model: { depth: 4 } },
  seed: 7,
  command: ['python', 'train.py'],
  createdAt: 1,
  startedAt: 2,
  endedAt: 3,
  exitCode: 0,
  signal: null,
  reason: null,
  metricValue: 'NaN',
  attempts: 1,
};

describe('routes', () => {
  it('fill in their path parameters (encoded) and query', () => {
    expect(pathOf(routes.sweeps.get, { id: 'a/b' })).toBe('/api/sweeps/a%2Fb');
    expect(pathOf(routes.sweeps.control, { id: 's1', action: 'pause' })).toBe('/api/sweeps/s1/pause');
    expect(pathOf(routes.trials.logs, { id: 't' }, { cursor: '0-1', wait: 10, skipped: undefined })).toBe(
      '/api/trials/t/logs?cursor=0-1&wait=10',
    );
    expect(routeName(routes.agents.register)).toBe('POST /api/agents/register');
  });
});

describe('wire numbers', () => {
  it('NaN and ±Infinity travel as their names and come back as numbers', () => {
    const written = JSON.stringify({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: -Infinity, d: 1.5 }, wireReplacer);
    expect(written).toBe('{"a":"NaN","b":"Infinity","c":"-Infinity","d":1.5}');
    const back = Object.values(JSON.parse(written)).map((v) => wireNumber.parse(v));
    expect(back).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5]);
    expect(wireNumber.safeParse('nan').success).toBe(false);
  });
});

describe('request bodies', () => {
  it('reject a malformed body with an issue at each wrong field', () => {
    const r = submitSweepBody.safeParse({ config: {}, cwd: '', seed: -1, extra: true });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['', 'cwd', 'seed']);
    const badPin = submitSweepBody.safeParse({ config: {}, cwd: '/', pins: { code: null, data: [{}] } });
    expect(badPin.error?.issues.map((i) => i.path.join('.'))).toContain('pins.data.0.path');
  });

  it('a heartbeat with a bad GPU names it', () => {
    const r = routes.agents.heartbeat.body.safeParse({
      running: [],
      gpus: [{ index: -1, name: 'x', memoryTotalMiB: null, memoryUsedMiB: null, utilizationPct: 101 }],
      draining: false,
    });
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['gpus.0.index', 'gpus.0.utilizationPct']);
  });
});

describe('responses', () => {
  it('parse a good answer', () => {
    const body = { trial, attempts: [], summaries: [] };
    expect(parseResponse(routes.trials.get, body).trial.metricValue).toBeNaN();
    const dropped = { trial: { ...trial, droppedPoints: { step_negative: 3 } }, attempts: [], summaries: [] };
    expect(parseResponse(routes.trials.get, dropped).trial.droppedPoints).toEqual({ step_negative: 3 });
    const unknown = { trial: { ...trial, droppedPoints: { step_odd: 1 } }, attempts: [], summaries: [] };
    expect(() => parseResponse(routes.trials.get, unknown)).toThrow(/trial\.droppedPoints/);
  });

  it('a malformed answer is an UnexpectedResponseError naming the route and the field', () => {
    const body = { trial: { ...trial, status: 'done', attempts: '1' }, attempts: [], summaries: [] };
    let caught: unknown;
    try {
      parseResponse(routes.trials.get, body);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnexpectedResponseError);
    expect(caught).toBeInstanceOf(HyperfleetError);
    const err = caught as UnexpectedResponseError;
    expect(err.name).toBe('UnexpectedResponseError');
    expect(err.code).toBe(UNEXPECTED_RESPONSE);
    expect(err.route).toBe('GET /api/trials/:id');
    expect(err.problems.map((p) => p.split(':')[0])).toEqual(['trial.status', 'trial.attempts']);
    expect(err.message).toMatch(/^GET \/api\/trials\/:id answered with an unexpected body: trial\.status: /);
    expect(err.hint).toContain('same hyperfleet version');
    expect(() => parseResponse(routes.agents.heartbeat, '<html>')).toThrow(/\(body\): /);
  });
});
