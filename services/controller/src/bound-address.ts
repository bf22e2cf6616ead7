import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Where a listening server is: `bound`, the address the socket really has (`0.0.0.0:7070`, `[::]:7070`), for
 * the start-up line; `url`, one this machine can connect to (a wildcard bind is reached on loopback).
 */
export function boundAddress(server: Server): { url: string; bound: string } {
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const reach = shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown;
  return { url: `http://${reach}:${addr.port}`, bound: `${shown}:${addr.port}` };
}

/** Whether `host` (a --host value) only binds this machine's loopback interface. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}
