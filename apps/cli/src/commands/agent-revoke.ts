import { routes } from '@hyperfleet/contract';
import { EXIT } from '../cli-error';
import { ApiClient, type ServerOptions } from '../fleet/api-client';

/** `hyperfleet agent revoke <id>` (admin): the agent is cut off from Redis now and its id refused from then on. */
export async function agentRevokeCommand(
  agentId: string,
  opts: ServerOptions & { json?: boolean },
  out = process.stdout,
): Promise<number> {
  const result = await new ApiClient(opts).call(routes.agents.revoke, { id: agentId });
  if (opts.json) out.write(`${JSON.stringify(result)}\n`);
  else if (result.revoked)
    out.write(
      `agent ${agentId} revoked: its Redis user is deleted, its reports are refused and it may not register again\n`,
    );
  else out.write(`agent ${agentId} was revoked already\n`);
  return EXIT.ok;
}
