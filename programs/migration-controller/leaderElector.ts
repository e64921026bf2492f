/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-node has none). The rule is in
 * leaseDecision.ts; this file reads and writes the Lease. Writes carry the resourceVersion they
 * read, so two candidates racing for an expired Lease cannot both win: the second gets 409.
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { describeApiError } from '../runtime/apiErrors.js';
import { type Logger } from '../runtime/logger.js';
import { type LeaseRecord, leaseAction, nextLeaseRecord, releasedLeaseRecord } from './leaseDecision.js';
import { requestTimeout } from '../runtime/requestTimeout.js';
import { timestampMs } from './objectViews.js';

export interface LeaderElectorOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** How long a silent holder keeps the Lease. */
  readonly leaseDurationMs: number;
  /** A holder that could not renew for this long stops acting; shorter than `leaseDurationMs`. */
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly now?: () => number;
}

const errorCode = (e: unknown) => (e as { code?: number }).code;

function recordOf(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const acquire = timestampMs(spec.acquireTime);
  const renew = timestampMs(spec.renewTime);
  return {
    ...(spec.holderIdentity ? { holder: spec.holderIdentity } : {}),
    ...(spec.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: spec.leaseDurationSeconds } : {}),
    ...(acquire !== undefined ? { acquireTimeMs: acquire } : {}),
    ...(renew !== undefined ? { renewTimeMs: renew } : {}),
    transitions: spec.leaseTransitions ?? 0,
  };
}

function specOf(r: LeaseRecord): V1Lease['spec'] {
  return {
    holderIdentity: r.holder ?? '',
    leaseDurationSeconds: r.leaseDurationSeconds ?? 1,
    ...(r.acquireTimeMs !== undefined ? { acquireTime: new V1MicroTime(r.acquireTimeMs) } : {}),
    ...(r.renewTimeMs !== undefined ? { renewTime: new V1MicroTime(r.renewTimeMs) } : {}),
    leaseTransitions: r.transitions,
  };
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly now: () => number;
  private readonly leaseSeconds: number;
  private readonly timeout: ReturnType<typeof requestTimeout>;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private leading = false;
  /** Local time a successful write was *sent*: the holder's claim can only be older than that. */
  private lastRenewMs = 0;
  private observed: { key: string; atMs: number } | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly opts: LeaderElectorOptions) {
    if (opts.renewDeadlineMs >= opts.leaseDurationMs) {
      throw new Error(`renewDeadlineMs (${opts.renewDeadlineMs}) must be shorter than leaseDurationMs (${opts.leaseDurationMs})`);
    }
    this.api = opts.kubeConfig.makeApiClient(CoordinationV1Api);
    this.now = opts.now ?? Date.now;
    this.leaseSeconds = Math.max(1, Math.round(opts.leaseDurationMs / 1000));
    // A read and a write must both fit in the renew deadline.
    this.timeout = requestTimeout(Math.max(500, Math.floor(opts.renewDeadlineMs / 2)));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /** True only while a renewal younger than the renew deadline backs the claim. */
  isLeader(): boolean {
    return this.leading && this.now() - this.lastRenewMs < this.opts.renewDeadlineMs;
  }

  /**
   * Stops campaigning. With `release`, a holder hands the Lease back (empty holder) so a
   * successor takes over at once; without it (a crash) the successor waits the lease out.
   */
  async stop(release: boolean): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
    const wasLeading = this.leading;
    this.setLeading(false);
    if (release && wasLeading) await this.release();
  }

  private tick(): void {
    if (!this.running) return;
    this.inFlight = this.tryAcquireOrRenew()
      .then((ok) => {
        if (ok) this.setLeading(true);
        else if (this.leading && this.now() - this.lastRenewMs >= this.opts.renewDeadlineMs) this.setLeading(false);
      })
      .catch((e: unknown) => this.opts.logger.warn({ err: describeApiError(e), lease: this.opts.name }, 'lease request failed'))
      .finally(() => {
        if (this.leading && this.now() - this.lastRenewMs >= this.opts.renewDeadlineMs) this.setLeading(false);
        if (this.running) this.timer = setTimeout(() => this.tick(), this.opts.retryPeriodMs);
      });
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.opts.logger.info({ lease: this.opts.name, identity: this.opts.identity }, leading ? 'became leader' : 'stopped leading');
    if (leading) this.opts.onStartedLeading();
    else this.opts.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const sentMs = this.now();
    let lease: V1Lease | undefined;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace }, this.timeout);
    } catch (e) {
      if (errorCode(e) !== 404) throw e;
    }
    const record = lease ? recordOf(lease) : undefined;
    const key = record ? `${record.holder ?? ''}|${record.renewTimeMs ?? ''}|${record.transitions}` : '';
    if (!this.observed || this.observed.key !== key) this.observed = { key, atMs: this.now() };
    const situation = {
      ...(record ? { record } : {}),
      identity,
      nowMs: this.now(),
      observedAtMs: this.observed.atMs,
      leaseDurationMs: this.opts.leaseDurationMs,
    };
    const action = leaseAction(situation);
    if (action.kind === 'wait') return false;
    const next = nextLeaseRecord(action.kind, situation, this.leaseSeconds);
    try {
      if (action.kind === 'create') {
        await this.api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: specOf(next) } }, this.timeout);
      } else {
        await this.api.replaceNamespacedLease(
          {
            name,
            namespace,
            body: { metadata: { name, namespace, resourceVersion: lease!.metadata!.resourceVersion! }, spec: specOf(next) },
          },
          this.timeout,
        );
      }
    } catch (e) {
      if (errorCode(e) === 409) return false; // someone else wrote first
      throw e;
    }
    this.lastRenewMs = sentMs;
    return true;
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.opts;
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace }, this.timeout);
      const record = recordOf(lease);
      if (record.holder !== identity) return;
      await this.api.replaceNamespacedLease(
        {
          name,
          namespace,
          body: { metadata: { name, namespace, resourceVersion: lease.metadata!.resourceVersion! }, spec: specOf(releasedLeaseRecord(record, this.now())) },
        },
        this.timeout,
      );
      this.opts.logger.info({ lease: name, identity }, 'released lease');
    } catch (e) {
      this.opts.logger.warn({ err: describeApiError(e), lease: name }, 'could not release lease; the successor waits it out');
    }
  }
}
