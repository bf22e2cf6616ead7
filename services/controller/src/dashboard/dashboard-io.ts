import type { DashboardClientEvents, DashboardServerEvents } from '@hyperfleet/domain';
import type { Server, Socket } from 'socket.io';
import type { Principal } from '../principal';

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
/** The sweeps list of sockets that read every project. */
export const SWEEPS_ROOM = 'sweeps';
/** The sweeps list of sockets that read `project` (project names hold no `/`). */
export const projectSweepsRoom = (project: string) => `sweeps/${project}`;
/** Every socket that watches a sweeps list, whatever its projects: nothing is sent here; it says someone watches. */
export const LIST_WATCHERS = 'sweeps/*';
