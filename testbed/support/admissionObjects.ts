/**
 * KubeVirt objects created through the API server (so admission webhooks run) for the admission
 * tests and bench: a running VMI as virt-handler reports it, a VMIM, and a virt-launcher Pod as
 * KubeVirt's template service renders it. Admin credentials; each call returns the object as the
 * API server stored it, after every mutating webhook.
 */
import { type KubeConfig } from '@kubernetes/client-node';
import { DOMAIN_ANNOTATION, MIGRATION_JOB_NAME_ANNOTATION, MIGRATION_JOB_UID_LABEL, VIRT_LAUNCHER_LABELS } from '../../compatibility/kubevirtNames.js';
import { rawRequest } from '../harness/rawRequest.js';

// biome-ignore lint/suspicious/noExplicitAny: API objects read back as plain JSON
type Obj = Record<string, any>;

const kubevirtPath = (ns: string, plural: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/${plural}`;

export interface AdmissionObjects {
  /** A running VMI: alias `q35` in spec, the canonical type in status (the VMI CRD has no status subresource). */
  createVmi(ns: string, name: string, machineType: string): Promise<Obj>;
  createVmim(ns: string, name: string, vmiName: string, annotations?: Record<string, string>): Promise<Obj>;
  /** A virt-launcher Pod; a migration target when `vmim` is given. */
  createLauncherPod(ns: string, name: string, vmiName: string, vmim?: Obj): Promise<Obj>;
}

export function admissionObjects(kc: KubeConfig): AdmissionObjects {
  async function create(path: string, body: Obj): Promise<Obj> {
    const res = await rawRequest(kc, 'POST', path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: HTTP ${res.status}: ${res.body.slice(0, 1500)}`);
    return JSON.parse(res.body) as Obj;
  }
  return {
    createVmi: (ns, name, machineType) =>
      create(kubevirtPath(ns, 'virtualmachineinstances'), {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachineInstance',
        metadata: { name, namespace: ns },
        spec: { domain: { devices: {}, machine: { type: 'q35' }, memory: { guest: '128Mi' } } },
        status: { phase: 'Running', nodeName: 'source-node', machine: { type: machineType } },
      }),
    createVmim: (ns, name, vmiName, annotations = {}) =>
      create(kubevirtPath(ns, 'virtualmachineinstancemigrations'), {
        apiVersion: 'kubevirt.io/v1',
        kind: 'VirtualMachineInstanceMigration',
        metadata: { name, namespace: ns, annotations },
        spec: { vmiName },
      }),
    createLauncherPod: (ns, name, vmiName, vmim) =>
      create(`/api/v1/namespaces/${ns}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          labels: { ...VIRT_LAUNCHER_LABELS, ...(vmim ? { [MIGRATION_JOB_UID_LABEL]: vmim.metadata.uid } : {}) },
          annotations: { [DOMAIN_ANNOTATION]: vmiName, ...(vmim ? { [MIGRATION_JOB_NAME_ANNOTATION]: vmim.metadata.name } : {}) },
        },
        spec: {
          nodeSelector: { 'kubevirt.io/schedulable': 'true' },
          containers: [{ name: 'compute', image: 'quay.io/kubevirt/virt-launcher:v1.5.0' }],
        },
      }),
  };
}
