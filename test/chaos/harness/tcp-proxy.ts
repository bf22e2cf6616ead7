import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real service (Redis, Postgres), so a chaos schedule can cut every
 * connection at once, refuse new ones for a while, or delay each chunk in both directions (order kept).
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private refuseUntil = 0;
  private delayMs = 0;
  port = 0;

  constructor(
    readonly label: string,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  /** Destroys every open connection (both sides); new ones are refused for `refuseMs`. */
  cut(refuseMs = 0): number {
    const n = this.sockets.size;
    this.refuseUntil = Date.now() + refuseMs;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return n;
  }

  /** Each chunk waits `ms` before it is forwarded (0: none). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private accept(client: Socket): void {
    if (Date.now() < this.refuseUntil) {
      client.destroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => {}); // a cut or a dead target: the other side is closed below
      s.on('close', () => {
        this.sockets.delete(s);
        (s === client ? upstream : client).destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /** Forwards `from` → `to`, each chunk after the current delay; a chain of timers keeps the byte order. */
  private pipe(from: Socket, to: Socket): void {
    let tail = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const delay = this.delayMs;
      if (delay === 0) {
        tail = tail.then(() => {
          if (!to.destroyed) to.write(chunk);
        });
        return;
      }
      const due = Date.now() + delay;
      tail = tail.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!to.destroyed) to.write(chunk);
      });
    });
  }
}
