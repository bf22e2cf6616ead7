import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { freePort, waitFor } from './fleet';

const REDIS_SERVER = process.env.HYPERFLEET_REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * A `redis-server` of our own on a free port, without persistence, so a schedule can kill it and bring it
 * back empty on the same port, or freeze it (SIGSTOP) and thaw it, without touching the shared Redis.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  port = 0;

  /** `password`: the default user's (`requirepass`), as a production Redis has one. */
  constructor(private readonly password?: string) {}

  get url(): string {
    return `redis://${this.password ? `:${this.password}@` : ''}127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    // noeviction, as the server asks of a production Redis; no RDB, no AOF: a restart comes back empty.
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push('--maxmemory-policy', 'noeviction');
    if (this.password) args.push('--requirepass', this.password);
    const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    this.child = child;
    await waitFor(`redis-server on ${this.port}`, async () => this.ping(), 10_000);
  }

  /** SIGKILL: everything in it is gone; resolves once the process has exited (the port is free again). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGKILL, then a fresh empty server on the same port: Redis lost everything it held. */
  async restartEmpty(): Promise<void> {
    await this.kill();
    await this.start();
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  get running(): boolean {
    return this.child !== null;
  }

  private ping(): boolean {
    try {
      return (
        execFileSync('redis-cli', ['-p', String(this.port), 'PING'], {
          encoding: 'utf8',
          // REDISCLI_AUTH, not -a: a password on a command line shows in `ps`.
          env: { ...process.env, ...(this.password ? { REDISCLI_AUTH: this.password } : {}) },
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim() === 'PONG'
      );
    } catch {
      return false;
    }
  }
}
