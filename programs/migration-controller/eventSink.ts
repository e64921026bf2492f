/**
 * Sends Kubernetes Events off the reconcile path, a few at a time, as client-go's event
 * broadcaster does: a fallback must not wait for its Event, and a burst of decisions must not
 * turn into a burst of Event writes. Events are best effort, but never silently lost: every Event
 * not recorded (the API refused it, the backlog was full, the replica stopped acting) is logged
 * with its reason and reported through `onDropped` (kvfleet_events_dropped_total).
 */
import { describeApiError } from '../runtime/apiErrors.js';
import { type Logger } from '../runtime/logger.js';
import { type LabelValue } from '../runtime/metricsContract.js';
import { type CONTROLLER_METRICS } from './metrics.js';
import { type ControllerWrites, type VmiEvent, WriteRefused } from './controllerWrites.js';

/** Why an Event was not recorded: the metric's `reason` label, as the metrics contract lists them. */
export type EventDropReason = LabelValue<typeof CONTROLLER_METRICS.eventsDropped, 'reason'>;

export interface EventSinkOptions {
  readonly writes: Pick<ControllerWrites, 'recordEvent'>;
  readonly logger: Logger;
  /** Checked before each send: a replica that stopped acting sends nothing more. */
  readonly canSend: () => boolean;
  /** @default 2 */
  readonly concurrency?: number;
  /** @default 1000 */
  readonly maxBacklog?: number;
  readonly onDropped?: (reason: EventDropReason) => void;
}

export class EventSink {
  private readonly backlog: VmiEvent[] = [];
  private active = 0;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly opts: EventSinkOptions) {}

  record(e: VmiEvent): void {
    if (this.backlog.length >= (this.opts.maxBacklog ?? 1000)) {
      this.dropped(e, 'backlog-full', 'event backlog full; event dropped');
      return;
    }
    this.backlog.push(e);
    this.pump();
  }

  /** Resolves when every recorded Event has been sent or given up. */
  drain(): Promise<void> {
    if (this.active === 0 && this.backlog.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.active < (this.opts.concurrency ?? 2) && this.backlog.length > 0) {
      const e = this.backlog.shift()!;
      this.active++;
      void this.send(e).finally(() => {
        this.active--;
        this.pump();
      });
    }
    if (this.active === 0 && this.backlog.length === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private dropped(e: VmiEvent, reason: EventDropReason, message: string, err?: string): void {
    this.opts.onDropped?.(reason);
    this.opts.logger.warn({ namespace: e.vmi.namespace, vmi: e.vmi.name, event: e.reason, dropReason: reason, ...(err ? { err } : {}) }, message);
  }

  private async send(e: VmiEvent): Promise<void> {
    if (!this.opts.canSend()) {
      this.dropped(e, 'not-acting', 'not acting any more; event dropped');
      return;
    }
    try {
      await this.opts.writes.recordEvent(e);
    } catch (err) {
      if (err instanceof WriteRefused) this.dropped(e, 'not-acting', 'not acting any more; event dropped');
      else this.dropped(e, 'api-error', 'could not record event; dropped', describeApiError(err));
    }
  }
}
