import type { DashboardClientEvents, DashboardServerEvents } from '@hyperfleet/domain';
import type { Server, Socket } from 'socket.io';
import type { Principal } from '../token-auth';

/** Replica ↔ replica messages through the Redis adapter: which trial rooms have watchers where. */
interface InterServerEvents {
  'dashboard:interest': (replica: string, rooms: string[]) => void;
}

interface SocketData {
  principal: Principal;
}

/** The dashboard's socket.io server and sockets, typed by the contract in `packages/domain/src/dashboard-events.ts`. */
export type DashboardIo = Server<DashboardClientEvents, DashboardServerEvents, InterServerEvents, SocketData>;
export type DashboardSocket = Socket<DashboardClientEvents, DashboardServerEvents, InterServerEvents, SocketData>;

export const sweepRoom = (id: string) => `sweep:${id}`;
export const trialRoom = (id: string) => `trial:${id}`;
export const logRoom = (id: string) => `log:${id}`;
export const SWEEPS_ROOM = 'sweeps';
