/**
 * Scaled time for the simulator. KubeVirt's timeouts and backoffs are minutes (300 s unschedulable,
 * 900 s catch-all, 20 s doubling backoff); the simulator expresses every one of them in simulated
 * seconds and converts to real milliseconds in exactly one place, `toRealMs`.
 *
 * What is scaled and what is not: the simulator's own waits are scaled; the API server, the real
 * kube-scheduler, Kyverno and the kvfleet controller run in real time, so their latency shows up in
 * simulated time multiplied by the scale (at 10 ms per simulated second, a 20 ms API round trip is
 * 2 simulated seconds). Timestamps written into objects are real wall-clock times (with
 * milliseconds) so that the real programs reading them agree with their own clocks; `simAt`
 * converts them back.
 */

export interface SimClockOptions {
  /** Real milliseconds per simulated second. @default 10 */
  readonly realMsPerSimSecond?: number;
  /** The real clock, for tests. @default Date.now */
  readonly now?: () => number;
}

export class SimClock {
  readonly realMsPerSimSecond: number;
  /** Real epoch milliseconds at simulated second 0. */
  readonly startRealMs: number;
  private readonly realNow: () => number;

  constructor(opts: SimClockOptions = {}) {
    const scale = opts.realMsPerSimSecond ?? 10;
    if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`realMsPerSimSecond must be a positive number, got ${scale}`);
    this.realMsPerSimSecond = scale;
    this.realNow = opts.now ?? Date.now;
    this.startRealMs = this.realNow();
  }

  /** Simulated seconds since the clock was made. */
  now(): number {
    return this.simAt(this.realNow());
  }

  /** The one conversion from simulated seconds to real milliseconds. */
  toRealMs(simSeconds: number): number {
    return Math.max(0, simSeconds) * this.realMsPerSimSecond;
  }

  toSimSeconds(realMs: number): number {
    return realMs / this.realMsPerSimSecond;
  }

  /** Simulated time of a real epoch timestamp (ms), e.g. one read back from an object. */
  simAt(realEpochMs: number): number {
    return this.toSimSeconds(realEpochMs - this.startRealMs);
  }

  /** Real epoch ms of a simulated time. */
  realAt(simSeconds: number): number {
    return this.startRealMs + simSeconds * this.realMsPerSimSecond;
  }

  /** Real wall-clock time as written into objects: RFC 3339 with milliseconds. */
  timestamp(): string {
    return new Date(this.realNow()).toISOString();
  }

  /** Waits `simSeconds` of simulated time; resolves early (never rejects) when `signal` aborts. */
  sleep(simSeconds: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, this.toRealMs(simSeconds));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
