import { CoreV1Api, type KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { kubeFailureOf } from './kube-api-error';

export interface PodWatchHandlers {
  /** A list (first, or after the watch's resourceVersion expired): every pod there is now. */
  onSync(pods: V1Pod[]): void;
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod): void;
  /** A connection dropped or failed; the watcher reconnects by itself. */
  onReconnect?(why: string): void;
}

export interface PodWatchOptions {
  /** Server-side timeout of one watch request; the watcher then resumes from the last resourceVersion. */
  timeoutSeconds?: number;
  /** First delay before reconnecting; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * List-then-watch of the pods matching a label selector, resumed from the last resourceVersion after a
 * dropped connection and re-listed after a 410 Gone (the version expired). Written here rather than with
 * client-node's informer: the informer keeps a cache we do not need and stops on an error, leaving the
 * restart policy to the caller anyway; this loop is that policy and nothing else.
 */
export class PodWatcher {
  private readonly core: CoreV1Api;
  private readonly watch: Watch;
  private resourceVersion: string | null = null;
  private request: AbortController | null = null;
  private stopped = false;
  private backoff: number;
  private timer: NodeJS.Timeout | null = null;
  /** Connections made (1 + reconnects): for tests and logs. */
  connections = 0;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly labelSelector: string,
    private readonly handlers: PodWatchHandlers,
    private readonly opts: PodWatchOptions = {},
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.watch = new Watch(kubeConfig);
    this.backoff = opts.backoffMs ?? 200;
  }

  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.request?.abort();
    this.request = null;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.resourceVersion === null) {
        const list = await this.core.listNamespacedPod({
          namespace: this.namespace,
          labelSelector: this.labelSelector,
        });
        if (this.stopped) return;
        this.resourceVersion = list.metadata?.resourceVersion ?? '0';
        this.handlers.onSync(list.items);
      }
      this.connections++;
      let expired = false;
      let sawEvent = false;
      const request = await this.watch.watch(
        `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods`,
        {
          labelSelector: this.labelSelector,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: this.opts.timeoutSeconds ?? 300,
        },
        (type, object: V1Pod & { code?: number; message?: string }) => {
          if (this.stopped) return;
          if (type === 'ERROR') {
            // 410 Gone: our resourceVersion is older than what the server keeps. Start over from a list.
            if (object.code === 410) {
              expired = true;
              this.resourceVersion = null;
            }
            return;
          }
          const version = object.metadata?.resourceVersion;
          if (version) this.resourceVersion = version;
          sawEvent = true;
          if (type === 'BOOKMARK') return;
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.handlers.onEvent(type, object);
        },
        (err: unknown) => {
          if (this.stopped) return;
          if (sawEvent || expired) this.backoff = this.opts.backoffMs ?? 200;
          const why = expired
            ? 'resourceVersion expired (410 Gone): listing again'
            : err
              ? `watch failed: ${kubeFailureOf(err).message}`
              : 'watch connection closed';
          // Resume at once after a clean end that delivered events; back off after failures and empty closes.
          this.reconnect(why, expired || (sawEvent && !err) ? 0 : undefined);
        },
      );
      if (this.stopped) request.abort();
      else this.request = request;
    } catch (error) {
      const failure = kubeFailureOf(error);
      if (failure.code === 410) this.resourceVersion = null;
      this.reconnect(`listing pods failed: ${failure.message}`);
    }
  }

  private reconnect(why: string, delayMs?: number): void {
    if (this.stopped || this.timer) return;
    this.request = null;
    this.handlers.onReconnect?.(why);
    const delay = delayMs ?? this.backoff;
    if (delayMs === undefined) this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5_000);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }
}
