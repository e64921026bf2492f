/**
 * The controller's four watches and what each of their events enqueues, kept apart from the manager
 * that starts them (as controller-runtime keeps watch set-up and event handlers apart from its
 * manager). A handler parses the object into its view (objectViews.ts), updates the index and
 * enqueues the key of the VMI to reconcile: a request is a key, not an event, and the reconcile reads
 * the index. One bad object never stops a watch: a malformed one is logged and counted once per
 * problem and skipped, a handler that throws is logged.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { MIGRATION_JOB_UID_LABEL } from '../../compatibility/kubevirtNames.js';
import { type Logger } from '../runtime/logger.js';
import { requestTimeout } from '../runtime/requestTimeout.js';
import { MalformedObjects, type ObjectRef } from './malformedObjects.js';
import { type MigrationMetrics } from './metrics.js';
import { type MigrationIndex, vmiKey } from './migrationIndex.js';
import { type MigrationObserver } from './migrationObserver.js';
import { type Parsed, parseNode, parseTargetPod, parseVmi, parseVmim } from './objectViews.js';
import { WatchedResource, type WatchSpec } from './watchedResource.js';

export type ChangeKind = 'add' | 'update' | 'delete';
export type ChangeHandler = (kind: ChangeKind, obj: KubernetesObject) => void;

/** What the handlers read and write. */
export interface WatchContext {
  readonly index: MigrationIndex;
  readonly observer: MigrationObserver;
  readonly intake: ObjectIntake;
  /** Queue a VMI key for reconciling. */
  readonly enqueue: (key: string) => void;
  /** VMIs waiting for a compatible node (vmiReconciler.ts); any node change wakes them. */
  readonly waitingForNodes: ReadonlySet<string>;
}

/** What the manager hears from every watch. */
export interface WatchEvents {
  /** First successful list, and every relist after. */
  readonly onSynced: () => void;
  readonly onRestart: (resource: string) => void;
}

const KUBEVIRT = { group: 'kubevirt.io', version: 'v1' } as const;
const asList = (p: Promise<unknown>) => p as Promise<KubernetesListObject<KubernetesObject>>;
/** A list of 10,000 VMIs takes seconds; one that hangs is restarted by the watch's backoff. */
const LIST_TIMEOUT = requestTimeout(120_000);

/** The four watches, not yet started: VMIMs, VMIs, Nodes, and migration target pods. */
export function controllerWatches(kubeConfig: KubeConfig, ctx: WatchContext, events: WatchEvents, logger: Logger): WatchedResource[] {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const kubevirt = (plural: string): WatchSpec => ({
    resource: plural,
    path: `/apis/kubevirt.io/v1/${plural}`,
    list: () => asList(custom.listClusterCustomObject({ ...KUBEVIRT, plural }, LIST_TIMEOUT)),
  });
  const watch = (spec: WatchSpec, onChange: ChangeHandler) =>
    new WatchedResource(
      kubeConfig,
      spec,
      { onChange: guarded(spec.resource, onChange, logger), onSynced: events.onSynced, onRestart: () => events.onRestart(spec.resource) },
      logger,
    );
  return [
    watch(kubevirt('virtualmachineinstancemigrations'), onVmimChange(ctx)),
    watch(kubevirt('virtualmachineinstances'), onVmiChange(ctx)),
    watch({ resource: 'nodes', path: '/api/v1/nodes', list: () => asList(core.listNode({}, LIST_TIMEOUT)) }, onNodeChange(ctx)),
    watch(
      {
        resource: 'pods',
        path: '/api/v1/pods',
        labelSelector: MIGRATION_JOB_UID_LABEL,
        list: () => asList(core.listPodForAllNamespaces({ labelSelector: MIGRATION_JOB_UID_LABEL }, LIST_TIMEOUT)),
      },
      onPodChange(ctx),
    ),
  ];
}

/** One bad object never stops the watch loop: a handler that throws is logged and the watch goes on. */
function guarded(resource: string, onChange: ChangeHandler, logger: Logger): ChangeHandler {
  return (kind, obj) => {
    try {
      onChange(kind, obj);
    } catch (e) {
      logger.error({ resource, err: (e as Error)?.stack ?? String(e) }, 'event handler failed');
    }
  };
}

const refOf = (kind: string, obj: KubernetesObject): ObjectRef => ({ kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name });

/** A VMIM changes: index it, let the observer time its phases, reconcile its VMI. */
export function onVmimChange({ index, observer, intake, enqueue }: WatchContext): ChangeHandler {
  return (kind, obj) => {
    if (kind === 'delete') {
      intake.forget(refOf('VirtualMachineInstanceMigration', obj));
      const key = index.deleteVmim(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '', obj.metadata?.uid);
      if (obj.metadata?.uid) observer.forget(obj.metadata.uid);
      if (key) enqueue(key);
      return;
    }
    const v = intake.accept('VirtualMachineInstanceMigration', obj, parseVmim(obj));
    if (!v) return;
    const key = index.putVmim(v);
    observer.observeVmim(v);
    enqueue(key);
  };
}

/** A VMI changes: index it; reconcile it only when it has VMIMs. */
export function onVmiChange({ index, intake, enqueue }: WatchContext): ChangeHandler {
  return (kind, obj) => {
    if (kind === 'delete') {
      intake.forget(refOf('VirtualMachineInstance', obj));
      const key = index.deleteVmi(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
      if (index.hasVmims(key)) enqueue(key);
      return;
    }
    const v = intake.accept('VirtualMachineInstance', obj, parseVmi(obj));
    if (!v) return;
    const key = index.putVmi(v);
    // Most VMIs never migrate; only those with VMIMs have anything to reconcile.
    if (index.hasVmims(key)) enqueue(key);
  };
}

/** A Node changes: index it and wake the VMIs waiting for a compatible node. */
export function onNodeChange({ index, intake, enqueue, waitingForNodes }: WatchContext): ChangeHandler {
  return (kind, obj) => {
    if (kind === 'delete') {
      intake.forget(refOf('Node', obj));
      index.deleteNode(obj.metadata?.name ?? '');
    } else {
      const n = intake.accept('Node', obj, parseNode(obj));
      if (!n) return;
      index.putNode(n);
    }
    for (const key of waitingForNodes) enqueue(key);
  };
}

/** A migration target pod changes: index it and let the observer see it; no reconcile. */
export function onPodChange({ index, observer, intake }: WatchContext): ChangeHandler {
  return (kind, obj) => {
    if (kind === 'delete') {
      intake.forget(refOf('Pod', obj));
      // A relist reports deletions with the slimmed cached copy: name and labels only.
      const vmimUid = obj.metadata?.labels?.[MIGRATION_JOB_UID_LABEL];
      if (vmimUid) index.deletePod(vmimUid, obj.metadata?.name ?? '');
      return;
    }
    const p = intake.accept('Pod', obj, parseTargetPod(obj));
    if (!p) return;
    index.putPod(p);
    const key = index.vmiKeyOfVmim(p.vmimUid) ?? vmiKey(p.namespace, p.vmimName ?? '');
    observer.observeTargetPod(p, index.vmi(key)?.machineType);
  };
}

/** Where a watched object is parsed: a malformed one is logged and counted once per problem, then skipped. */
export class ObjectIntake {
  private readonly malformed = new MalformedObjects();

  constructor(
    private readonly metrics: Pick<MigrationMetrics, 'malformed' | 'malformedNow'>,
    private readonly logger: Logger,
  ) {}

  /** The parsed view, or undefined for a malformed object; a good parse clears what was remembered. */
  accept<T>(kind: string, obj: KubernetesObject, parsed: Parsed<T>): T | undefined {
    const ref = refOf(kind, obj);
    if (parsed.ok) {
      this.forget(ref);
      return parsed.value;
    }
    if (this.malformed.report(ref, parsed.code)) {
      this.metrics.malformed.inc({ kind, reason: parsed.code });
      this.metrics.malformedNow.set(this.malformed.size);
      this.logger.warn({ kind, namespace: ref.namespace, name: ref.name, code: parsed.code, reason: parsed.message }, 'skipping malformed object');
    }
    return undefined;
  }

  /** The object was deleted (or parsed again): nothing to remember. */
  forget(ref: ObjectRef): void {
    if (this.malformed.forget(ref)) this.metrics.malformedNow.set(this.malformed.size);
  }
}
