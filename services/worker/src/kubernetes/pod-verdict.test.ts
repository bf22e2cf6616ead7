import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PodJudge } from './pod-verdict';
import { exitMessage } from './testing/kube-test-kit';

const bounds = { unschedulableMs: 1_000, imagePullMs: 1_000, noPodMs: 1_000 };

function pod(name: string, status: V1Pod['status'], created = '2026-01-01T00:00:00Z'): V1Pod {
  return {
    metadata: { name, creationTimestamp: created as unknown as Date },
    spec: { containers: [{ name: 'trial', image: 'img:1', resources: { limits: { memory: '1Gi' } } }] },
    status,
  };
}

const terminated = (exitCode: number, extra: Record<string, unknown> = {}) => ({
  containerStatuses: [
    {
      name: 'trial',
      image: 'img:1',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode, ...extra } },
    },
  ],
});

describe('PodJudge', () => {
  it('kubelet admission failures (OutOfnvidia.com/gpu) and vanished pods are lost: another node may do', () => {
    const judge = new PodJudge(bounds, 0);
    judge.observe(
      pod('p', { phase: 'Failed', reason: 'OutOfnvidia.com/gpu', message: 'Node didn’t have enough resource' }),
    );
    expect(judge.verdict(10)).toMatchObject({ kind: 'lost', reason: expect.stringMatching(/OutOfnvidia\.com\/gpu/) });

    const gone = new PodJudge(bounds, 0);
    gone.observe(pod('q', { phase: 'Running' }), true);
    expect(gone.verdict(10)).toMatchObject({
      kind: 'lost',
      reason: expect.stringMatching(/deleted before it finished/),
    });
  });

  it('a finished pod wins over the replacement the Job started; the newest pod is judged otherwise', () => {
    const judge = new PodJudge(bounds, 0);
    judge.observe(
      pod('old', { phase: 'Succeeded', ...terminated(0, { message: exitMessage(0) }) }, '2026-01-01T00:00:00Z'),
    );
    judge.observe(pod('new', { phase: 'Pending' }, '2026-01-01T00:01:00Z'));
    expect(judge.verdict(10)).toMatchObject({ kind: 'done', pod: 'old' });

    const fresh = new PodJudge(bounds, 0);
    fresh.observe(pod('old', { phase: 'Failed', reason: 'Evicted' }, '2026-01-01T00:00:00Z'));
    fresh.observe(
      pod(
        'new',
        {
          phase: 'Running',
          containerStatuses: [
            { name: 'trial', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
          ],
        },
        '2026-01-01T00:01:00Z',
      ),
    );
    expect(fresh.verdict(10)).toEqual({ kind: 'running', pod: 'new' });
  });

  it('could-not-start cases say why: init container, StartError, invalid image name at once, config error after the bound', () => {
    const init = new PodJudge(bounds, 0);
    init.observe(
      pod('p', {
        phase: 'Failed',
        initContainerStatuses: [
          {
            name: 'hyperfleet-runner',
            image: '',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 1, message: 'cp: cannot create' } },
          },
        ],
      }),
    );
    expect(init.verdict(0)).toMatchObject({
      kind: 'not-started',
      reason: expect.stringMatching(/init container hyperfleet-runner .*cp: cannot create/),
    });

    const start = new PodJudge(bounds, 0);
    start.observe(
      pod('p', { phase: 'Failed', ...terminated(128, { reason: 'StartError', message: 'exec format error' }) }),
    );
    expect(start.verdict(0)).toMatchObject({ kind: 'not-started', reason: expect.stringMatching(/exec format error/) });

    const invalid = new PodJudge(bounds, 0);
    invalid.observe(
      pod('p', {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'trial',
            image: 'Bad Name',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'InvalidImageName' } },
          },
        ],
      }),
    );
    expect(invalid.verdict(0)).toMatchObject({
      kind: 'not-started',
      reason: expect.stringMatching(/"Bad Name" is not a valid image name/),
    });

    const config = new PodJudge(bounds, 0);
    config.observe(
      pod('p', {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'trial',
            image: '',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              waiting: { reason: 'CreateContainerConfigError', message: 'secret "hyperfleet-worker" not found' },
            },
          },
        ],
      }),
    );
    expect(config.verdict(0)).toMatchObject({
      kind: 'pending',
      note: expect.stringMatching(/CreateContainerConfigError/),
    });
    expect(config.verdict(1_500)).toMatchObject({
      kind: 'not-started',
      reason: expect.stringMatching(/secret "hyperfleet-worker" not found/),
    });
  });

  it('no pod at all past its bound (quota, admission webhook) fails the attempt', () => {
    const judge = new PodJudge(bounds, 0);
    expect(judge.verdict(500)).toEqual({ kind: 'pending', note: null });
    expect(judge.verdict(1_500)).toMatchObject({
      kind: 'not-started',
      reason: expect.stringMatching(/^no pod was created within 1 s \(a ResourceQuota/),
    });
  });
});
