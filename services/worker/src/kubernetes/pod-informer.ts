import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { PodWatcher, type PodWatchHandlers, type PodWatchOptions } from './pod-watcher';

interface Subscriber {
  matches: (pod: V1Pod) => boolean;
  handlers: PodWatchHandlers;
}

/**
 * One watch for the trial pods of the executor's namespace, shared by the attempts in flight: each
 * attempt subscribes with a filter for its own pods and gets what a watch of its own would give — a sync with
 * the current pods (at once when the informer has listed already), then the events. One long-lived watch per
 * agent instead of one per running trial keeps the API server's load flat as `--slots` grows.
 */
export class PodInformer {
  private readonly pods = new Map<string, V1Pod>();
  private readonly subscribers = new Set<Subscriber>();
  private readonly watcher: PodWatcher;
  private synced = false;
  private started = false;

  constructor(kubeConfig: KubeConfig, namespace: string, labelSelector: string, opts: PodWatchOptions = {}) {
    this.watcher = new PodWatcher(
      kubeConfig,
      namespace,
      labelSelector,
      {
        onSync: (list) => this.sync(list),
        onEvent: (type, pod) => this.event(type, pod),
        onReconnect: (why) => {
          for (const s of this.subscribers) s.handlers.onReconnect?.(why);
        },
      },
      opts,
    );
  }

  /** Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.watcher.start();
  }

  stop(): void {
    this.watcher.stop();
    this.subscribers.clear();
  }

  /** Watch connections made so far (1 + reconnects). */
  get connections(): number {
    return this.watcher.connections;
  }

  subscribe(matches: (pod: V1Pod) => boolean, handlers: PodWatchHandlers): () => void {
    const subscriber: Subscriber = { matches, handlers };
    this.subscribers.add(subscriber);
    this.start();
    if (this.synced) handlers.onSync([...this.pods.values()].filter(matches));
    return () => this.subscribers.delete(subscriber);
  }

  private sync(list: V1Pod[]): void {
    this.pods.clear();
    for (const pod of list) if (pod.metadata?.name) this.pods.set(pod.metadata.name, pod);
    this.synced = true;
    for (const s of this.subscribers) s.handlers.onSync(list.filter(s.matches));
  }

  private event(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: V1Pod): void {
    const name = pod.metadata?.name;
    if (!name) return;
    if (type === 'DELETED') this.pods.delete(name);
    else this.pods.set(name, pod);
    for (const s of this.subscribers) if (s.matches(pod)) s.handlers.onEvent(type, pod);
  }
}
