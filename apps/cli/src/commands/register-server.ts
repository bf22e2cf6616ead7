import type { Command } from 'commander';
import { byteSize, nonNegativeInt, positiveInt, type SetExit, STORE_OPTION } from '../options';
import type { ServerFlags } from './server-command';

/** `hyperfleet server`: the controller (HTTP API + sweep scheduling), fleet mode with --redis. */
export function registerServerCommands(program: Command, setExit: SetExit): void {
  program
    .command('server')
    .description('run the controller: HTTP API, sweep scheduling and the live dashboard at / (fleet mode with --redis)')
    .option('--port <n>', 'port to listen on', positiveInt, 7070)
    .option('--host <host>', 'address to bind (default 0.0.0.0 with --redis, else 127.0.0.1)')
    .option('--redis <url>', 'Redis for the queue and agents (fleet mode); without it: embedded, in-process')
    .option('--prefix <prefix>', 'Redis key prefix shared with the agents', 'hf')
    .option(
      '--insecure-shared-redis',
      "hand agents this server's own Redis URL and password instead of a Redis user of their own (only when Redis has no ACL and $HYPERFLEET_AGENT_REDIS_URL is not set)",
    )
    .option(...STORE_OPTION)
    .option('--tokens <file>', 'bearer tokens with roles (JSON); or $HYPERFLEET_TOKENS="role:token,…"')
    .option(
      '--insecure-no-auth',
      'serve a non-loopback --host without tokens (anyone who can reach it may submit and cancel)',
    )
    .option('--max-parallel <n>', 'largest parallel a sweep may ask for (default 1000)', positiveInt)
    .option('--max-run-cap <n>', 'largest run_cap of a random/bayes/tpe sweep (default 100000)', positiveInt)
    .option('--max-body-size <size>', 'largest JSON request body, e.g. 1mb (default 1mb)', byteSize)
    .option(
      '--max-blob-size <size>',
      'largest uploaded blob (pinned diff, git bundle), e.g. 256mb (default 256mb)',
      byteSize,
    )
    .option(
      '--rate-limit <n>',
      'API requests per minute per token (per address without one); 0 = off (default 6000)',
      nonNegativeInt,
    )
    .option('--public-url <url>', 'base URL in dashboard links (default http://<host>:<port>)')
    .option('--heartbeat <seconds>', 'agent heartbeat interval', positiveInt, 2)
    .option(
      '--lost-after <seconds>',
      'an agent silent this long has lost its running trials (they run again)',
      positiveInt,
      10,
    )
    .option(
      '--store-wait <seconds>',
      'at start, wait this long for a store that cannot be reached yet (a database restarting with the server)',
      nonNegativeInt,
      60,
    )
    .option(
      '--project-quota <project=slots:N,weight:W>',
      'fair share: cap a project at N concurrent trials across the fleet and/or weigh it W (default: no cap, weight 1); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--project-quotas <file>',
      'per-project quotas from a JSON or YAML file: {"team-a": {"slots": 8, "weight": 2}}',
    )
    // Loaded on use: the controller's dependencies (express, BullMQ) would slow every other command's start.
    .action(async (opts: ServerFlags) => setExit(await (await import('./server-command')).serverCommand(opts)));
}
