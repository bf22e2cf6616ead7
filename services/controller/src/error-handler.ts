import { isHyperfleetError } from '@hyperfleet/domain';
import { errorText, type Logger } from '@hyperfleet/engine';
import { isStoreError, isStoreUnreachable } from '@hyperfleet/store';
import { isTransportUnreachable } from '@hyperfleet/transport';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';

/** Errors body-parser raises carry `type` and `status`. */
interface ParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** One normalizer for everything a route throws → `{error: {code, message, hint}}` with the right status. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const p = err as ParserError;
  if (p?.type === 'entity.too.large') {
    return new ApiError(
      413,
      'PAYLOAD_TOO_LARGE',
      `request body over the limit${p.limit ? ` of ${p.limit} bytes` : ''}`,
      {
        hint: 'send less per request (split metric batches, trim the config)',
      },
    );
  }
  if (p?.type === 'entity.parse.failed') {
    return new ApiError(400, 'BAD_JSON', 'the request body is not valid JSON', {
      hint: 'send Content-Type: application/json',
    });
  }
  // body-parser's other refusals, and the router's (a param it cannot decode) carry their 4xx status.
  if (typeof p?.status === 'number' && p.status >= 400 && p.status < 500) {
    return new ApiError(p.status, 'BAD_REQUEST', errorText(err));
  }
  if (isStoreUnreachable(err) || isTransportUnreachable(err)) {
    return new ApiError(503, 'NOT_READY', errorText(err), { hint: 'the store or Redis is unreachable; retry shortly' });
  }
  if (isStoreError(err, 'STORE_NOT_FOUND')) return new ApiError(404, 'NOT_FOUND', errorText(err));
  // A value the store refused inside a route is the server's fault (the request was validated), not the client's.
  if (isHyperfleetError(err) && !isStoreError(err) && err.code.endsWith('_INVALID')) {
    return new ApiError(422, err.code, err.message, err.hint === undefined ? {} : { hint: err.hint });
  }
  return new ApiError(500, 'INTERNAL', 'internal error', { hint: 'the controller log has the details' });
}

export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const api = toApiError(err);
    const fields = { method: req.method, path: req.path, error: errorText(err) };
    // A dependency that is down is an operational state (readiness says so), not a bug in the controller.
    if (api.status === 503) log.warn('request refused: not ready', fields);
    else if (api.status >= 500) log.error('request failed', fields);
    if (res.headersSent) return;
    res.status(api.status).json(api.body());
  };
}
