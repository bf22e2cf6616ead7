import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeFailureOf } from './kube-api-error';

export interface PodLogFollowerOptions {
  /** Delay before reopening a log stream that ended while the pod still runs. Default 500 ms. */
  reconnectMs?: number;
}

/**
 * Follows one container's log (`follow=true&timestamps=true`) and hands the text on, without the timestamps.
 * A stream can end while the container still runs (the API server or kubelet closed it): it is reopened
 * with `sinceTime` = the last line's timestamp, and the lines already seen are skipped — by timestamp, and
 * by count for lines that share the last timestamp (sinceTime has whole-second precision).
 */
export class PodLogFollower {
  private readonly decoder = new StringDecoder('utf8');
  private request: AbortController | null = null;
  private lastTs: string | null = null;
  private seenAtLastTs = 0;
  private skipAtLastTs = 0;
  /** A stream is open or being opened. */
  private opening = false;
  private partial = '';
  private finishing = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private resolveIdle: (() => void) | null = null;
  /** Streams opened (1 + reconnects). */
  connections = 0;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly pod: string,
    private readonly container: string,
    private readonly onText: (text: string) => void,
    private readonly opts: PodLogFollowerOptions = {},
  ) {}

  start(): void {
    void this.open();
  }

  /**
   * The container has ended: read what is left (one more stream if none is open) and stop; resolves when
   * the log is read to its end or `timeoutMs` passed.
   */
  async finish(timeoutMs: number): Promise<void> {
    this.finishing = true;
    if (this.stopped) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      void this.open();
    }
    const idle = new Promise<void>((resolve) => {
      this.resolveIdle = resolve;
    });
    if (!this.opening && !this.timer) this.resolveIdle?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([idle, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.stop();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.request?.abort();
    this.request = null;
    this.flushPartialLine();
    this.resolveIdle?.();
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    this.connections++;
    this.opening = true;
    this.skipAtLastTs = this.seenAtLastTs;
    try {
      await this.stream();
    } catch (error) {
      const failure = kubeFailureOf(error);
      // 400: the container is not running yet (or any more); the executor calls finish() when it ended.
      if (failure.code !== 400 && !this.finishing && !this.stopped) {
        this.onText(`[hyperfleet] reading the log of pod ${this.pod} failed: ${failure.message}\n`);
      }
    }
    this.request = null;
    this.opening = false;
    if (this.stopped) return;
    if (this.finishing) {
      this.flushPartialLine();
      this.resolveIdle?.();
      return;
    }
    // Cut mid-line: the reopened stream sends that line again, whole.
    this.partial = '';
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.open();
    }, this.opts.reconnectMs ?? 500);
  }

  /**
   * One `GET …/log?follow=true` until it ends. Made with node:http and the KubeConfig's TLS and auth
   * (applyToHTTPSOptions) rather than client-node's Log: Log pipes the response into our stream and drops
   * the response's errors, so a connection cut mid-stream would leave us waiting forever.
   */
  private async stream(): Promise<void> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(
      `${cluster.server}/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods/${encodeURIComponent(this.pod)}/log`,
    );
    url.searchParams.set('container', this.container);
    url.searchParams.set('follow', 'true');
    url.searchParams.set('timestamps', 'true');
    if (this.lastTs) url.searchParams.set('sinceTime', this.lastTs);
    const options: https.RequestOptions = { method: 'GET' };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const abort = new AbortController();
    this.request = abort;
    if (this.stopped) return;
    await new Promise<void>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        { ...options, signal: abort.signal },
        (res) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const body = Buffer.concat(chunks).toString('utf8');
              reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: res.statusCode, body }));
            });
            res.on('error', reject);
            return;
          }
          res.on('data', (chunk: Buffer) => this.consume(this.decoder.write(chunk)));
          res.on('end', () => resolve());
          // aborted (ours), reset, premature close: the stream is over either way.
          res.on('error', () => resolve());
          res.on('close', () => resolve());
        },
      );
      req.on('error', (error) => (abort.signal.aborted ? resolve() : reject(error)));
      req.end();
    });
  }

  private consume(text: string): void {
    const data = this.partial + text;
    const lines = data.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line, true);
  }

  /** A stream that ended mid-line: the kubelet does not re-send it, so pass it on now. */
  private flushPartialLine(): void {
    if (!this.partial) return;
    const rest = this.partial;
    this.partial = '';
    this.line(rest, false);
  }

  private line(line: string, newline: boolean): void {
    const space = line.indexOf(' ');
    const ts = space > 0 ? line.slice(0, space) : '';
    if (!/^\d{4}-\d\d-\d\dT/.test(ts)) {
      this.onText(newline ? `${line}\n` : line);
      return;
    }
    const text = line.slice(space + 1);
    if (this.lastTs !== null) {
      const order = compareTimestamps(ts, this.lastTs);
      if (order < 0) return;
      if (order === 0) {
        // Lines with the timestamp we stopped at: skip as many as we passed on already.
        if (this.skipAtLastTs > 0) {
          this.skipAtLastTs--;
          return;
        }
        this.seenAtLastTs++;
        this.onText(newline ? `${text}\n` : text);
        return;
      }
    }
    this.lastTs = ts;
    this.seenAtLastTs = 1;
    this.skipAtLastTs = 0;
    this.onText(newline ? `${text}\n` : text);
  }
}

/** RFC 3339 with up to nanoseconds: compare the instant, then the fraction as digits. */
export function compareTimestamps(a: string, b: string): number {
  const [aSec, aFrac] = splitTs(a);
  const [bSec, bFrac] = splitTs(b);
  if (aSec !== bSec) return aSec < bSec ? -1 : 1;
  return aFrac === bFrac ? 0 : aFrac < bFrac ? -1 : 1;
}

function splitTs(ts: string): [number, string] {
  const match = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!match) return [Date.parse(ts), ''];
  return [Date.parse(`${match[1]}${match[3]}`), (match[2] ?? '').padEnd(9, '0')];
}
