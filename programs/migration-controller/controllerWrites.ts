/**
 * Every write the controller makes, with the answers that mean "already done" folded in: 409 on a
 * create (a previous incarnation got there first), 404 on a delete (someone else did). These are
 * exactly the verbs of the generated ClusterRole: VMIM create/delete, Event create.
 */
import { createHash } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { type VmimManifest } from './fallbackVmim.js';
import { statusOf } from '../runtime/apiErrors.js';
import { requestTimeout } from '../runtime/requestTimeout.js';
import { type VmiView } from './objectViews.js';

export const FIELD_MANAGER = 'kvfleet-migration-controller';
export const EVENT_SOURCE = 'kvfleet-migration-controller';

const VMIM = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstancemigrations' } as const;
/** A hung write is retried by the work queue rather than holding a worker. */
const WRITE_TIMEOUT = requestTimeout(30_000);

export interface PlannedWrite {
  readonly verb: 'create' | 'delete';
  readonly kind: 'VirtualMachineInstanceMigration' | 'Event';
  readonly namespace: string;
  readonly name: string;
}

/** Called around each write; fault tests use them to kill the controller at an exact point. */
export interface WriteHooks {
  readonly beforeWrite?: (w: PlannedWrite) => void | Promise<void>;
  readonly afterWrite?: (w: PlannedWrite) => void | Promise<void>;
}

export class WriteRefused extends Error {
  constructor(w: PlannedWrite) {
    super(`not acting any more; ${w.verb} ${w.kind} ${w.namespace}/${w.name} not sent`);
  }
}

export interface VmiEvent {
  readonly vmi: VmiView;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** Same key, same Event name: a repeated decision after a restart records nothing new. */
  readonly dedupeKey: string;
}

export class ControllerWrites {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  /**
   * `mayWrite` is asked once more after the before-hook: a controller that stopped meanwhile
   * (lost the Lease, shut down) sends nothing.
   */
  constructor(
    kubeConfig: KubeConfig,
    private readonly identity: string,
    private readonly mayWrite: () => boolean,
    private readonly hooks: WriteHooks = {},
    private readonly now: () => number = Date.now,
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async createVmim(vmim: VmimManifest): Promise<'created' | 'exists'> {
    const w: PlannedWrite = { verb: 'create', kind: 'VirtualMachineInstanceMigration', namespace: vmim.metadata.namespace, name: vmim.metadata.name };
    await this.hooks.beforeWrite?.(w);
    if (!this.mayWrite()) throw new WriteRefused(w);
    let result: 'created' | 'exists' = 'created';
    try {
      await this.custom.createNamespacedCustomObject({ ...VMIM, namespace: w.namespace, body: vmim, fieldManager: FIELD_MANAGER }, WRITE_TIMEOUT);
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
      result = 'exists';
    }
    await this.hooks.afterWrite?.(w);
    return result;
  }

  /** Deletes exactly the object judged (UID precondition), never a same-named successor. */
  async deleteVmim(namespace: string, name: string, uid: string): Promise<'deleted' | 'gone'> {
    const w: PlannedWrite = { verb: 'delete', kind: 'VirtualMachineInstanceMigration', namespace, name };
    await this.hooks.beforeWrite?.(w);
    if (!this.mayWrite()) throw new WriteRefused(w);
    let result: 'deleted' | 'gone' = 'deleted';
    try {
      await this.custom.deleteNamespacedCustomObject({ ...VMIM, namespace, name, body: { preconditions: { uid } } }, WRITE_TIMEOUT);
    } catch (e) {
      // 409: the UID precondition failed, so what is there now is another object: not ours to delete.
      if (statusOf(e) !== 404 && statusOf(e) !== 409) throw e;
      result = 'gone';
    }
    await this.hooks.afterWrite?.(w);
    return result;
  }

  async recordEvent(e: VmiEvent): Promise<void> {
    const name = `${e.vmi.name.slice(0, 200)}.kvfleet-${createHash('sha256').update(e.dedupeKey).digest('hex').slice(0, 12)}`;
    const w: PlannedWrite = { verb: 'create', kind: 'Event', namespace: e.vmi.namespace, name };
    await this.hooks.beforeWrite?.(w);
    if (!this.mayWrite()) throw new WriteRefused(w);
    const at = new Date(this.now());
    try {
      await this.core.createNamespacedEvent(
        {
          namespace: e.vmi.namespace,
          body: {
            metadata: { name, namespace: e.vmi.namespace },
            involvedObject: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: e.vmi.name, namespace: e.vmi.namespace, uid: e.vmi.uid },
            type: e.type,
            reason: e.reason,
            message: e.message.length > 1000 ? `${e.message.slice(0, 997)}...` : e.message,
            source: { component: EVENT_SOURCE },
            reportingComponent: `kvfleet.io/${EVENT_SOURCE}`,
            reportingInstance: this.identity,
            firstTimestamp: at,
            lastTimestamp: at,
            count: 1,
          },
        },
        WRITE_TIMEOUT,
      );
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    await this.hooks.afterWrite?.(w);
  }
}
