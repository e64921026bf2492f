/**
 * One reconcile of one Node: read the capabilities XML and the matrix, compute kvfleet's labels
 * (pure, nodeLabels.ts), and write only if the node differs and the write stays within the
 * labeller's limits (labelLimits.ts). Level-based: it looks at files and the Node as they are now,
 * so running it twice, or after a missed event, is always safe.
 */
import { readFile, stat } from 'node:fs/promises';
import { type CoreV1Api, type CoreV1Event, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../compatibility/labelKeys.js';
import { type MatrixDocument, parseMatrixDocument } from '../../compatibility/matrixDocument.js';
import { describeApiError } from '../runtime/apiErrors.js';
import { type Logger } from '../runtime/logger.js';
import { MAX_CAPABILITIES_BYTES, type NodeMachineTypes, parseCapabilities } from './capabilitiesXml.js';
import { boundsProblem, type LabelBounds, labelBounds, labelLimitEvent } from './labelLimits.js';
import { type LabellerErrorReason, type LabellerMetrics } from './metrics.js';
import { desiredNodeMetadata, type NodeEventSpec, nodeEvents, nodeMetadataPatch } from './nodeLabels.js';

export type ReconcileOutcome =
  | { readonly kind: 'done'; readonly patched: boolean; readonly events: readonly NodeEventSpec[] }
  /** An input file is unreadable or malformed, or yields more than LABEL_LIMITS: the node was left as it is. */
  | { readonly kind: 'invalid'; readonly reason: string; readonly code: LabellerErrorReason }
  /** The API server failed or refused; worth retrying with backoff. */
  | { readonly kind: 'retry'; readonly error: Error; readonly code: LabellerErrorReason };

export interface NodeLabelReconcilerOptions {
  readonly nodeName: string;
  readonly capabilitiesPath: string;
  readonly matrixPath: string;
  readonly core: CoreV1Api;
  readonly metrics: LabellerMetrics;
  readonly log: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** Events about cluster-scoped objects live in `default` (API validation allows only that or none). */
export const NODE_EVENT_NAMESPACE = 'default';
export const REPORTING_COMPONENT = 'kvfleet.io/node-labeller';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Warnings one log line names; the rest are counted (`moreWarnings`). */
export const MAX_LOGGED_WARNINGS = 20;

export class NodeLabelReconciler {
  private readonly opts: NodeLabelReconcilerOptions;
  private readonly now: () => Date;
  private lastWarnings = '';
  /** The LabelLimitExceeded message last recorded; cleared by a reconcile within the limits. */
  private lastRefusal = '';

  constructor(opts: NodeLabelReconcilerOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => new Date());
  }

  /** Counting, logging and retrying the outcome are the runtime loop's (programs/runtime/reconcileLoop.ts). */
  async reconcile(): Promise<ReconcileOutcome> {
    const outcome = await this.reconcileOnce();
    if (outcome.kind === 'done') this.opts.metrics.lastSuccess.set(this.now().getTime() / 1000);
    return outcome;
  }

  private invalid(code: LabellerErrorReason, path: string, message: string): ReconcileOutcome {
    return { kind: 'invalid', code, reason: `${path}: ${message}` };
  }

  private async readCapabilities(): Promise<{ ok: true; machineTypes: NodeMachineTypes; warnings: readonly string[] } | { ok: false; outcome: ReconcileOutcome }> {
    const path = this.opts.capabilitiesPath;
    let xml: string;
    try {
      // Checked before reading: a runaway file must not take the process's memory with it.
      const { size } = await stat(path);
      if (size > MAX_CAPABILITIES_BYTES) {
        return { ok: false, outcome: this.invalid('capabilities_invalid', path, `too-large: ${size} bytes, more than ${MAX_CAPABILITIES_BYTES}`) };
      }
      xml = await readFile(path, 'utf8');
    } catch (e) {
      return { ok: false, outcome: this.invalid('capabilities_unreadable', path, (e as Error).message) };
    }
    const parsed = parseCapabilities(xml);
    if (!parsed.ok) return { ok: false, outcome: this.invalid('capabilities_invalid', path, `${parsed.code}: ${parsed.message}`) };
    return parsed;
  }

  private async readMatrix(): Promise<{ ok: true; matrix: MatrixDocument } | { ok: false; outcome: ReconcileOutcome }> {
    const path = this.opts.matrixPath;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      return { ok: false, outcome: this.invalid('matrix_unreadable', path, (e as Error).message) };
    }
    const parsed = parseMatrixDocument(text);
    if (!parsed.ok) return { ok: false, outcome: this.invalid('matrix_invalid', path, parsed.message) };
    return parsed;
  }

  private apiError(code: LabellerErrorReason, e: unknown): ReconcileOutcome {
    return { kind: 'retry', code, error: new Error(code === 'node_get' ? 'reading the Node' : 'patching the Node', { cause: e }) };
  }

  private async reconcileOnce(): Promise<ReconcileOutcome> {
    const { nodeName, core, metrics, log } = this.opts;
    const caps = await this.readCapabilities();
    if (!caps.ok) return caps.outcome;
    const matrix = await this.readMatrix();
    if (!matrix.ok) return matrix.outcome;

    let node: V1Node;
    try {
      metrics.apiRequests.inc({ verb: 'get', resource: 'nodes' });
      node = await core.readNode({ name: nodeName });
    } catch (e) {
      return this.apiError('node_get', e);
    }
    const labels = node.metadata?.labels ?? {};
    const annotations = node.metadata?.annotations ?? {};
    const desired = desiredNodeMetadata(caps.machineTypes, matrix.matrix, labels, annotations);

    this.logWarnings([...caps.warnings, ...desired.warnings]);

    const patch = nodeMetadataPatch({ labels, annotations }, desired);
    // Decided before any write, Events included: over a limit, nothing about this document is written.
    const bounds = labelBounds(desired.labels, patch);
    if (!bounds.ok) return this.refuse(node, caps.machineTypes, bounds);
    this.lastRefusal = '';
    this.recordGauges(caps.machineTypes, desired);

    // Event before patch: if the patch then fails, the retry records the event again (a duplicate)
    // rather than never (the patched node would no longer look changed).
    const events = nodeEvents(annotations, labels, desired);
    for (const event of events) await this.recordEvent(node, event);

    if (!patch) return { kind: 'done', patched: false, events };
    try {
      metrics.apiRequests.inc({ verb: 'patch', resource: 'nodes' });
      await core.patchNode({ name: nodeName, body: patch }, mergePatch);
    } catch (e) {
      return this.apiError('node_patch', e);
    }
    log.info(
      {
        node: nodeName,
        set: Object.entries(patch.metadata.labels ?? {}).filter(([, v]) => v !== null).length,
        removed: Object.entries(patch.metadata.labels ?? {})
          .filter(([, v]) => v === null)
          .map(([k]) => k),
        pool: desired.match?.pool,
        launcher: desired.match?.launcher,
        drift: desired.match && { reason: desired.match.reason, extra: desired.match.extra, missing: desired.match.missing, explanation: desired.match.explanation },
        kubevirtDrift: desired.kubevirt,
      },
      'node labels updated',
    );
    return { kind: 'done', patched: true, events };
  }

  private logWarnings(warnings: readonly string[]): void {
    if (warnings.join('\n') === this.lastWarnings) return;
    // Once per change, not once per resync: the same warning every 5 minutes is noise. A hostile
    // document can yield thousands (one per name that cannot be a label): the line names the first
    // MAX_LOGGED_WARNINGS and counts the rest, so one log line stays readable and bounded.
    if (warnings.length > 0) {
      const more = warnings.length - MAX_LOGGED_WARNINGS;
      this.opts.log.warn(
        { node: this.opts.nodeName, warnings: warnings.slice(0, MAX_LOGGED_WARNINGS), ...(more > 0 ? { moreWarnings: more } : {}) },
        'capabilities need attention',
      );
    }
    this.lastWarnings = warnings.join('\n');
  }

  /**
   * Over a limit: no label, annotation or drift Event is written, and existing labels stay. The
   * Warning Event is recorded once per refusal, not on every backoff step (then it would be noise);
   * the loop logs and counts every attempt under the limit's reason.
   */
  private async refuse(node: V1Node, machineTypes: NodeMachineTypes, exceeded: Extract<LabelBounds, { ok: false }>): Promise<ReconcileOutcome> {
    // Only the counts, which show how big the document is: one series per deprecated type would carry it into /metrics.
    this.recordMachineTypeCounts(machineTypes);
    this.opts.metrics.deprecatedMachineType.reset();
    const event = labelLimitEvent(exceeded);
    if (event.message !== this.lastRefusal && (await this.recordEvent(node, event))) this.lastRefusal = event.message;
    return this.invalid(exceeded.code, this.opts.capabilitiesPath, boundsProblem(exceeded));
  }

  private recordMachineTypeCounts(machineTypes: NodeMachineTypes): void {
    const { metrics, nodeName: node } = this.opts;
    metrics.machineTypes.set({ node, kind: 'canonical' }, machineTypes.canonical.length);
    metrics.machineTypes.set({ node, kind: 'alias' }, Object.keys(machineTypes.aliases).length);
    metrics.machineTypes.set({ node, kind: 'deprecated' }, machineTypes.deprecated.length);
  }

  private recordGauges(machineTypes: NodeMachineTypes, desired: ReturnType<typeof desiredNodeMetadata>): void {
    const { metrics, nodeName: node } = this.opts;
    this.recordMachineTypeCounts(machineTypes);
    metrics.deprecatedMachineType.reset();
    for (const t of machineTypes.deprecated) metrics.deprecatedMachineType.set({ node, machine_type: t }, 1);
    metrics.unlabellable.set({ node }, desired.skipped.length);
    // One node per process: reset so a changed pool or reason leaves no stale series behind.
    metrics.drift.reset();
    metrics.driftTypes.reset();
    metrics.kubevirtDrift.reset();
    metrics.kubevirtDriftTypes.reset();
    if (desired.kubevirt) {
      const { kubevirtLacks, kubevirtOnly } = desired.kubevirt;
      metrics.kubevirtDrift.set({ node }, kubevirtLacks.length + kubevirtOnly.length > 0 ? 1 : 0);
      metrics.kubevirtDriftTypes.set({ node, direction: 'kubevirt_lacks' }, kubevirtLacks.length);
      metrics.kubevirtDriftTypes.set({ node, direction: 'kubevirt_only' }, kubevirtOnly.length);
    }
    if (desired.match) {
      const { pool, reason, extra, missing } = desired.match;
      metrics.drift.set({ node, pool, reason }, reason === 'none' ? 0 : 1);
      metrics.driftTypes.set({ node, direction: 'extra' }, extra.length);
      metrics.driftTypes.set({ node, direction: 'missing' }, missing.length);
    }
  }

  /** False when the Event could not be recorded (logged and counted here). */
  private async recordEvent(node: V1Node, spec: NodeEventSpec): Promise<boolean> {
    const { nodeName, core, metrics, log } = this.opts;
    const at = this.now();
    const body: CoreV1Event = {
      metadata: { generateName: `${nodeName.slice(0, 200)}.`, namespace: NODE_EVENT_NAMESPACE, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: nodeName, ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}) },
      type: spec.type,
      reason: spec.reason,
      message: spec.message,
      source: { component: 'kvfleet-node-labeller', host: nodeName },
      reportingComponent: REPORTING_COMPONENT,
      reportingInstance: nodeName.slice(0, 128),
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
    };
    try {
      metrics.apiRequests.inc({ verb: 'create', resource: 'events' });
      await core.createNamespacedEvent({ namespace: NODE_EVENT_NAMESPACE, body });
      log.info({ node: nodeName, reason: spec.reason, type: spec.type }, spec.message);
      return true;
    } catch (e) {
      // Labels matter more than the Event: count and log, then still patch the node.
      metrics.errors.inc({ reason: 'event_create' });
      log.warn({ node: nodeName, event: spec.reason, reason: 'event_create', err: describeApiError(e) }, 'could not record the Event; dropped');
      return false;
    }
  }
}
