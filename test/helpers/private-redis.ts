import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitFor } from './fleet';

/** A redis-server of the test's own on a free port, keeping nothing on disk: it can be killed and come back empty. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    await waitFor(`redis-server on port ${this.port}`, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
      const { createConnection } = await import('node:net');
      return new Promise<boolean>((resolve) => {
        const s = createConnection(this.port, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
    });
  }

  /** SIGKILL, then a fresh empty server on the same port: Redis lost everything it held. */
  async restartEmpty(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
