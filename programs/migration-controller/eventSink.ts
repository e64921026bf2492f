/**
 * Sends Kubernetes Events off the reconcile path, a few at a time, as client-go's event
 * broadcaster does: a fallback must not wait for its Event, and a burst of decisions must not
 * turn into a burst of Event writes. Events are best effort; a full backlog drops the newest.
 */
import { type Logger } from '../runtime/logger.js';
import { apiErrorMessage, type ControllerWrites, type VmiEvent } from './controllerWrites.js';

export interface EventSinkOptions {
  readonly writes: Pick<ControllerWrites, 'recordEvent'>;
  readonly logger: Logger;
  /** Checked before each send: a replica that stopped acting sends nothing more. */
  readonly canSend: () => boolean;
  /** @default 2 */
  readonly concurrency?: number;
  /** @default 1000 */
  readonly maxBacklog?: number;
  readonly onDropped?: () => void;
}

export class EventSink {
  private readonly backlog: VmiEvent[] = [];
  private active = 0;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly opts: EventSinkOptions) {}

  record(e: VmiEvent): void {
    if (this.backlog.length >= (this.opts.maxBacklog ?? 1000)) {
      this.opts.onDropped?.();
      this.opts.logger.warn({ namespace: e.vmi.namespace, vmi: e.vmi.name, reason: e.reason }, 'event backlog full; event dropped');
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
    if (this.active === 0 && this.backlog.length === 0) this.idle.splice(0).forEach((r) => r());
  }

  private async send(e: VmiEvent): Promise<void> {
    if (!this.opts.canSend()) return;
    try {
      await this.opts.writes.recordEvent(e);
    } catch (err) {
      this.opts.logger.warn({ namespace: e.vmi.namespace, vmi: e.vmi.name, reason: e.reason, err: apiErrorMessage(err) }, 'could not record event');
    }
  }
}
