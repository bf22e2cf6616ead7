import { routes, wireReplacer } from '@hyperfleet/contract';
import Table from 'cli-table3';
import { EXIT } from '../cli-error';
import { ApiClient, type ServerOptions } from '../fleet/api-client';
import { formatDuration } from '../ui/format';

/** `hyperfleet agent ls`: every agent the server heard from recently. */
export async function agentLsCommand(opts: ServerOptions & { json?: boolean }, out = process.stdout): Promise<number> {
  const { agents } = await new ApiClient(opts).call(routes.agents.list, {});
  if (opts.json) {
    out.write(`${JSON.stringify({ agents }, wireReplacer, 2)}\n`);
    return EXIT.ok;
  }
  if (agents.length === 0) {
    out.write('no agents: start one with `hyperfleet agent --server URL --token T`\n');
    return EXIT.ok;
  }
  const table = new Table({
    head: ['agent', 'host', 'pool', 'slots', 'running', 'gpus', 'state', 'heartbeat'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  const now = Date.now();
  for (const a of agents) {
    const gpus = a.gpus.map((g) => `${g.index}:${g.utilizationPct ?? '?'}%`).join(' ') || '-';
    const state = a.status === 'stale' ? 'stale' : a.draining ? 'draining' : (a.agentStatus ?? 'running');
    table.push([
      a.agentId,
      a.host,
      a.pool,
      String(a.slots),
      a.running.map((r) => r.trialId).join(' ') || '-',
      gpus,
      a.reason ? `${state}: ${a.reason}` : state,
      `${formatDuration(now - a.lastHeartbeat)} ago`,
    ]);
  }
  out.write(`${table.toString()}\n`);
  return EXIT.ok;
}
