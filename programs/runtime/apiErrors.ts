/**
 * What a failed API request says, for log lines: client-node 2's ApiException carries the HTTP
 * status in `code` and the API server's Status object (JSON text) in `body`, while its `message` is
 * a dump of headers nobody should have to read. undici's fetch fails with "fetch failed" and the
 * real cause (ECONNREFUSED…) one level down; a request deadline (requestTimeout.ts) ends in a
 * `TimeoutError`. Pure: reads the error, nothing else.
 */

export interface ApiErrorDetails {
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** The Status `reason` (`Forbidden`, `Conflict`, `NotFound`, `Timeout`…), when the server gave one. */
  readonly reason?: string;
  /** The server's own message when there is one, else the error's (with its causes). */
  readonly message: string;
}

interface StatusBody {
  readonly message?: unknown;
  readonly reason?: unknown;
}

/** An HTTP status, as client-node's ApiException carries it (a DOMException's numeric code is not one). */
function httpStatus(err: unknown): number | undefined {
  if (!err || typeof err !== 'object' || err instanceof DOMException) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

/** The HTTP status of an API failure, looking through `cause`; undefined when the server never answered. */
export function statusOf(e: unknown): number | undefined {
  for (let err = e, depth = 0; err && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    const code = httpStatus(err);
    if (code !== undefined) return code;
  }
  return undefined;
}

function statusBody(body: unknown): StatusBody | string | undefined {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return parsed && typeof parsed === 'object' ? (parsed as StatusBody) : body;
    } catch {
      return body.trim() || undefined;
    }
  }
  return body && typeof body === 'object' ? (body as StatusBody) : undefined;
}

/** Message of one error without its causes; a timeout says so in words. */
function ownMessage(e: unknown): string {
  if (e instanceof Error || (e && typeof e === 'object' && 'message' in e)) {
    const err = e as { name?: unknown; message?: unknown };
    if (err.name === 'TimeoutError') return 'request timed out';
    return String(err.message ?? '');
  }
  return String(e);
}

interface Walked {
  /** Messages of the wrapping errors, outermost first (`creating fallback x`). */
  readonly context: string[];
  readonly details: ApiErrorDetails;
}

/** Follows `cause` from the outermost error to the ApiException, or to the last cause. */
function walk(e: unknown): Walked {
  const context: string[] = [];
  let err = e;
  for (let depth = 0; depth < 5; depth++) {
    const code = httpStatus(err);
    if (code !== undefined) {
      const body = statusBody((err as { body?: unknown }).body);
      const serverMessage = typeof body === 'string' ? body : typeof body?.message === 'string' ? body.message : undefined;
      const reason = typeof body === 'object' && typeof body.reason === 'string' && body.reason !== '' ? body.reason : undefined;
      // client-node throws a 401 before reading the body.
      const message = serverMessage ?? (code === 401 ? 'Unauthorized' : 'no message');
      return { context, details: { status: code, ...(reason ? { reason } : {}), message } };
    }
    const cause = (err as { cause?: unknown } | undefined)?.cause;
    if (cause === undefined || cause === null) break;
    const own = ownMessage(err);
    if (own) context.push(own);
    err = cause;
  }
  return { context, details: { message: ownMessage(err) || String(err) } };
}

/** Status, reason and message of an API failure, looking through `cause` for the ApiException. */
export function apiErrorDetails(e: unknown): ApiErrorDetails {
  return walk(e).details;
}

/**
 * One line for a log: `creating fallback x: HTTP 403 Forbidden: <the server's message>`, or the
 * error's own chain (`fetch failed: connect ECONNREFUSED 127.0.0.1:1`).
 */
export function describeApiError(e: unknown): string {
  const { context, details: d } = walk(e);
  const last = d.status === undefined ? d.message : `HTTP ${d.status}${d.reason ? ` ${d.reason}` : ''}: ${d.message}`;
  return [...context, last].join(': ');
}
