import { ApiException } from '@kubernetes/client-node';
import { expect, test } from 'vitest';
import { apiErrorDetails, describeApiError, statusOf } from './apiErrors.js';

const forbiddenMessage =
  'virtualmachineinstancemigrations.kubevirt.io is forbidden: User "system:serviceaccount:kvfleet-system:kvfleet-migration-controller" cannot create resource "virtualmachineinstancemigrations" in API group "kubevirt.io" in the namespace "apps"';
/** What client-node 2 throws: the Status object as JSON text in `body`, headers in `message`. */
const forbidden = new ApiException(
  403,
  'Unknown API Status Code!',
  JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: forbiddenMessage }),
  {
    'content-type': 'application/json',
  },
);

test("the API server's status, reason and message, not client-node's dump of headers", () => {
  expect(apiErrorDetails(forbidden)).toEqual({ status: 403, reason: 'Forbidden', message: forbiddenMessage });
  expect(describeApiError(forbidden)).toBe(`HTTP 403 Forbidden: ${forbiddenMessage}`);
  expect(describeApiError(forbidden)).not.toContain('content-type');
});

test('what the reconciler was doing comes first, the API answer after it', () => {
  const wrapped = new Error('creating fallback vm-1-kvfleet-1', { cause: forbidden });
  expect(describeApiError(wrapped)).toBe(`creating fallback vm-1-kvfleet-1: HTTP 403 Forbidden: ${forbiddenMessage}`);
  expect(apiErrorDetails(wrapped)).toMatchObject({ status: 403, reason: 'Forbidden' });
  expect(statusOf(wrapped)).toBe(403);
});

test.each([
  ['a body already parsed', new ApiException(409, 'x', { reason: 'AlreadyExists', message: 'exists' }, {}), 'HTTP 409 AlreadyExists: exists'],
  ['a body that is not JSON (a proxy in between)', new ApiException(502, 'x', '<html>Bad Gateway</html>', {}), 'HTTP 502: <html>Bad Gateway</html>'],
  ['a 401, which client-node throws without a body', new ApiException(401, 'Unauthorized', undefined, {}), 'HTTP 401: Unauthorized'],
  ['a request deadline', new Error('outer', { cause: new DOMException('The operation was aborted due to timeout', 'TimeoutError') }), 'outer: request timed out'],
  [
    'a refused connection (undici)',
    new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) }),
    'fetch failed: connect ECONNREFUSED 127.0.0.1:1',
  ],
  ['something that is not an Error', 'plain string', 'plain string'],
])('%s', (_what, e, text) => {
  expect(describeApiError(e)).toBe(text);
});
