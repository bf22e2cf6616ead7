import { randomBytes } from 'node:crypto';
import type { DashboardIo } from './dashboard-io';

/** How long another replica's announced rooms count as watched without a new announcement. */
export const INTEREST_TTL_MS = 10_000;

/**
 * Which rooms someone watches: this replica's sockets, and (with the Redis adapter) the rooms other replicas
 * announce. The hooks of a sweep run on the replica that leads it, so they must know about watchers elsewhere.
 */
export class RoomInterest {
  readonly replica = randomBytes(6).toString('hex');
  /** replica → (rooms, when announced). */
  private readonly remote = new Map<string, { rooms: Set<string>; at: number }>();

  constructor(
    private readonly io: () => DashboardIo | null,
    /** The rooms worth announcing. */
    private readonly announced: (room: string) => boolean,
  ) {}

  /** Another replica's announcement (its own come back through the adapter too: ignored). */
  heard(replica: string, rooms: readonly string[]): void {
    if (replica !== this.replica) this.remote.set(replica, { rooms: new Set(rooms), at: Date.now() });
  }

  watched(room: string): boolean {
    const local = this.io()?.of('/').adapter.rooms.has(room) ?? false;
    // No other replica's interest: the common case of an unwatched fleet, answered cheaply.
    if (local || this.remote.size === 0) return local;
    const now = Date.now();
    for (const [replica, entry] of this.remote) {
      if (now - entry.at > INTEREST_TTL_MS) this.remote.delete(replica);
      else if (entry.rooms.has(room)) return true;
    }
    return false;
  }

  /** Tells the other replicas which of this replica's rooms are watched. */
  announce(): void {
    const io = this.io();
    if (!io) return;
    const rooms = [...io.of('/').adapter.rooms.keys()].filter(this.announced);
    io.serverSideEmit('dashboard:interest', this.replica, rooms);
  }
}
