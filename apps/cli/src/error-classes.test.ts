import { UnexpectedResponseError } from '@hyperfleet/contract';
import { ApiError } from '@hyperfleet/controller';
import { ConfigError, HyperfleetError } from '@hyperfleet/domain';
import { LineageError } from '@hyperfleet/lineage';
import {
  GridUnsupportedDistributionError,
  InvalidSearchInputError,
  NumericalError,
  SearchError,
  UnknownMethodError,
} from '@hyperfleet/search';
import { StoreError } from '@hyperfleet/store';
import { LostAttemptError, TransportError } from '@hyperfleet/transport';
import { AgentError } from '@hyperfleet/worker';
import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from './cli-error';
import { describeError } from './describe-error';
import { ServerRequestError } from './fleet/api-client';

/** One of each error class hyperfleet raises, with the name and code it must keep. */
const errors: Array<[string, string, Error]> = [
  ['SearchError', 'X_CODE', new SearchError('X_CODE', 'm')],
  [
    'GridUnsupportedDistributionError',
    'GRID_UNSUPPORTED_DISTRIBUTION',
    new GridUnsupportedDistributionError('lr', 'uniform'),
  ],
  ['UnknownMethodError', 'UNKNOWN_METHOD', new UnknownMethodError('gird')],
  ['InvalidSearchInputError', 'INVALID_SEARCH_INPUT', new InvalidSearchInputError('m')],
  ['NumericalError', 'NUMERICAL_FAILURE', new NumericalError('m')],
  ['StoreError', 'STORE_CLOSED', new StoreError('STORE_CLOSED', 'm')],
  ['LostAttemptError', 'ATTEMPT_HANDED_BACK', new LostAttemptError('draining')],
  ['TransportError', 'TRANSPORT_CLOSED', new TransportError('TRANSPORT_CLOSED', 'm')],
  ['LineageError', 'NO_COMMIT', new LineageError('NO_COMMIT', 'm')],
  ['ConfigError', 'CONFIG_INVALID', new ConfigError([])],
  ['AgentError', 'AGENT_BAD_OPTIONS', new AgentError('AGENT_BAD_OPTIONS', 'm')],
  ['ApiError', 'NOT_FOUND', new ApiError(404, 'NOT_FOUND', 'm')],
  ['UnexpectedResponseError', 'UNEXPECTED_RESPONSE', new UnexpectedResponseError('GET /api/agents', ['agents: m'])],
  ['CliError', 'CLI_FAILURE', new CliError('m')],
  ['CliError', 'CLI_USAGE', new CliError('m', undefined, EXIT.usage)],
  ['ServerRequestError', 'NOT_FOUND', new ServerRequestError(404, 'NOT_FOUND', 'm', undefined, undefined)],
];

describe('error classes', () => {
  it.each(errors)('%s (%s) extends HyperfleetError; its hint is a string or undefined', (name, code, err) => {
    expect(err).toBeInstanceOf(HyperfleetError);
    expect(err.name).toBe(name);
    expect((err as HyperfleetError).code).toBe(code);
    expect(['string', 'undefined']).toContain(typeof (err as HyperfleetError).hint);
  });

  it('a hint is a string wherever one is given, and the CLI prints it', () => {
    const withHint = [
      new LineageError('NO_COMMIT', 'm', { hint: 'h' }),
      new StoreError('STORE_CLOSED', 'm', { hint: 'h' }),
      new CliError('m', 'h'),
      new ServerRequestError(422, 'INVALID_BODY', 'm', 'h', []),
    ];
    for (const err of withHint) expect(describeError(err).hint).toBe('h');
    expect(describeError(new ServerRequestError(422, 'INVALID_BODY', 'm', undefined, [])).exitCode).toBe(EXIT.usage);
    expect(describeError(new LineageError('NO_COMMIT', 'm'))).toEqual({ message: 'm', hint: undefined, exitCode: 1 });
  });
});
