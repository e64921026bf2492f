/**
 * The VMIM kvfleet creates to retry a failed migration on a chosen node. Its name is derived from
 * the failed VMIM's UID alone, so however often the decision is made (a restart, a relist, a
 * second replica) the API server admits it once and answers 409 after.
 */
import { createHash } from 'node:crypto';
import {
  ATTEMPT_LABEL,
  FALLBACK_OF_LABEL,
  FALLBACK_OF_UID_ANNOTATION,
  FALLBACK_REASON_ANNOTATION,
  HOSTNAME_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  TARGET_NODE_ANNOTATION,
  VMI_LABEL,
} from '../../compatibility/labelKeys.js';
import { type FixableReason } from './failureReasons.js';
import { type TargetCandidate } from './migrationTargets.js';
import { type VmimView, type VmiView } from './objectViews.js';
import { type PinMode } from '../../compatibility/kubevirtVersions.js';
import { UNSCHEDULABLE_TIMEOUT_ANNOTATION } from '../../compatibility/kubevirtNames.js';

const shortHash = (text: string, length = 10) => createHash('sha256').update(text).digest('hex').slice(0, length);

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** `text` when it is a valid label value, else a readable prefix plus a hash of the whole. */
export function labelValue(text: string): string {
  if (text.length <= 63 && LABEL_VALUE.test(text)) return text;
  const prefix = text
    .slice(0, 52)
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return prefix ? `${prefix}-${shortHash(text)}` : shortHash(text);
}

/**
 * `<vmi>-kvfleet-<hash of failed UID>`, at most 63 characters so it can itself be a label value
 * (the next fallback's `kvfleet.io/fallback-of`).
 */
export function fallbackName(vmiName: string, failedUid: string): string {
  const prefix = vmiName.slice(0, 42).replace(/[^a-z0-9]+$/, '');
  return `${prefix ? `${prefix}-` : ''}kvfleet-${shortHash(failedUid)}`;
}

export interface FallbackSpec {
  readonly failed: VmimView;
  readonly vmi: VmiView;
  readonly target: TargetCandidate;
  readonly attempt: number;
  readonly reason: FixableReason;
  readonly pinMode: PinMode;
  readonly unschedulableTimeoutSeconds: number;
}

export interface VmimManifest {
  readonly apiVersion: 'kubevirt.io/v1';
  readonly kind: 'VirtualMachineInstanceMigration';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
    readonly ownerReferences: readonly Record<string, unknown>[];
  };
  readonly spec: { readonly vmiName: string; readonly addedNodeSelector?: Record<string, string> };
}

export function fallbackVmim(f: FallbackSpec): VmimManifest {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata: {
      name: fallbackName(f.vmi.name, f.failed.uid),
      namespace: f.vmi.namespace,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [FALLBACK_OF_LABEL]: labelValue(f.failed.name),
        [ATTEMPT_LABEL]: String(f.attempt),
        [VMI_LABEL]: labelValue(f.vmi.name),
      },
      annotations: {
        [FALLBACK_OF_UID_ANNOTATION]: f.failed.uid,
        [FALLBACK_REASON_ANNOTATION]: f.reason,
        // Recorded in both modes: it is how the next decision knows which node this attempt tried.
        [TARGET_NODE_ANNOTATION]: f.target.node,
        [UNSCHEDULABLE_TIMEOUT_ANNOTATION]: String(Math.max(1, Math.round(f.unschedulableTimeoutSeconds))),
      },
      // Kubernetes garbage collection removes the fallback with its VMI; no blockOwnerDeletion,
      // which would need update rights on the VMI's finalizers.
      ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: f.vmi.name, uid: f.vmi.uid }],
    },
    spec: {
      vmiName: f.vmi.name,
      ...(f.pinMode === 'addedNodeSelector' ? { addedNodeSelector: { [HOSTNAME_LABEL]: f.target.hostname } } : {}),
    },
  };
}
