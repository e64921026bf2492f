/**
 * Every API request the simulator makes goes through one `ApiCalls`: at most `maxConcurrent` at a
 * time, and retried with backoff (real time: the API server is not simulated) when the answer is
 * 429, a 5xx, no answer at all, or, where the caller says a retry is safe, 409. Retries are counted
 * and logged at debug. Once stopped, new calls fail at once with `SimStoppedError`.
 */
import { describeApiError, statusOf } from '../../programs/runtime/apiErrors.js';
import { type Logger } from '../../programs/runtime/logger.js';

export class SimStoppedError extends Error {
  constructor() {
    super('the KubeVirt simulator is stopped');
    this.name = 'SimStoppedError';
  }
}

export interface ApiCallOptions {
  /** Retry a 409 too: creates with `generateName` (a name collision), or calls that re-read first. */
  readonly retryConflict?: boolean;
  /** Runs before each retry, e.g. to re-read an object for an optimistic-concurrency write. */
  readonly beforeRetry?: () => Promise<void> | void;
}

export interface ApiCallCounts {
  calls: number;
  retries: number;
  errors: number;
}

export const isNotFound = (e: unknown) => statusOf(e) === 404;
export const isConflict = (e: unknown) => statusOf(e) === 409;

function retriable(e: unknown, retryConflict: boolean): boolean {
  if (e instanceof SimStoppedError) return false;
  const status = statusOf(e);
  if (status === undefined) return true;
  if (status === 429 || status >= 500) return true;
  return status === 409 && retryConflict;
}

export class ApiCalls {
  readonly counts: ApiCallCounts = { calls: 0, retries: 0, errors: 0 };
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly maxConcurrent: number,
    private readonly logger: Logger,
    private readonly maxAttempts = 8,
    private readonly baseDelayMs = 50,
    private readonly maxDelayMs = 3_000,
  ) {
    if (!(maxConcurrent >= 1)) throw new Error(`maxConcurrentWrites must be at least 1, got ${maxConcurrent}`);
  }

  /** Requests running or waiting for a slot. */
  get inFlight(): number {
    return this.active + this.waiting.length;
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.waiting.splice(0)) wake();
  }

  async call<T>(what: string, fn: () => Promise<T>, opts: ApiCallOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new SimStoppedError();
      await this.acquire();
      let result: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        if (this.stopped) throw new SimStoppedError();
        this.counts.calls++;
        result = { ok: true, value: await fn() };
      } catch (error) {
        result = { ok: false, error };
      } finally {
        this.release();
      }
      if (result.ok) return result.value;
      const { error } = result;
      if (attempt >= this.maxAttempts || !retriable(error, opts.retryConflict ?? false) || this.stopped) {
        if (!(error instanceof SimStoppedError)) this.counts.errors++;
        throw error;
      }
      this.counts.retries++;
      const delayMs = Math.min(this.baseDelayMs * 2 ** (attempt - 1), this.maxDelayMs);
      this.logger.debug({ what, attempt, retryInMs: delayMs, err: describeApiError(error) }, 'API request failed; retrying');
      await new Promise((r) => setTimeout(r, delayMs));
      if (opts.beforeRetry) await opts.beforeRetry();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.maxConcurrent || this.stopped) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.active++;
        resolve();
      }),
    );
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }
}
