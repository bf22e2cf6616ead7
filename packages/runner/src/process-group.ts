import { readdirSync, readFileSync } from 'node:fs';

/** Send a signal to every process in the group. False when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while any process of the group is still running. kill(-pgid, 0) alone also counts zombies, which
 * linger when PID 1 in a container does not reap orphans; on Linux we look in /proc for a live member.
 */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readProcStat(entry);
      if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
    }
    return false;
  } catch {
    return true;
  }
}

/**
 * Whether the process has already exited (a zombie, or reaped), though Node may not have emitted 'exit' yet.
 * Linux only; elsewhere false (unknown).
 */
export function hasExited(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  const stat = readProcStat(String(pid));
  return stat === null || stat.state === 'Z' || stat.state === 'X';
}

function readProcStat(pid: string): { state: string; pgrp: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // comm (field 2) may contain spaces and parentheses; the fields after the last ')' are fixed.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', pgrp: Number(rest[2]) };
  } catch {
    return null;
  }
}

export interface GroupTerminatorOptions {
  graceMs: number;
  /** How often to check whether the group is gone. */
  pollMs?: number;
  /** After SIGKILL, how long to wait for the group to vanish before giving up. */
  killWaitMs?: number;
}

/**
 * SIGTERM the whole process group, SIGKILL it after the grace period if anything is still running, and
 * resolve once the group is gone (grandchildren included). Idempotent: later calls share the first run.
 */
export class GroupTerminator {
  private running: Promise<void> | null = null;

  constructor(
    private readonly pgid: number,
    private readonly options: GroupTerminatorOptions,
  ) {}

  get started(): boolean {
    return this.running !== null;
  }

  terminate(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 25;
    if (!signalGroup(this.pgid, 'SIGTERM')) return;
    const deadline = performance.now() + this.options.graceMs;
    while (performance.now() < deadline) {
      if (!isGroupAlive(this.pgid)) return;
      await sleep(Math.min(pollMs, Math.max(1, deadline - performance.now())));
    }
    if (!isGroupAlive(this.pgid)) return;
    signalGroup(this.pgid, 'SIGKILL');
    const killDeadline = performance.now() + (this.options.killWaitMs ?? 5000);
    while (isGroupAlive(this.pgid) && performance.now() < killDeadline) await sleep(pollMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
