/**
 * Reads a live cluster's Nodes, VirtualMachines and VirtualMachineInstances for `kvfleet plan`,
 * read-only (list only), with kubectl's kubeconfig and context rules. Returns the objects as the API
 * server lists them; plan/inventoryFromObjects.ts turns them into an Inventory, the same way it
 * does for `kubectl get … -o yaml` files, so a live plan and a plan from files cannot differ.
 *
 * The identity needs only `list` on nodes, virtualmachines.kubevirt.io and
 * virtualmachineinstances.kubevirt.io (docs/user-guide.md gives a ClusterRole).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { describeApiError, statusOf } from '../programs/runtime/apiErrors.js';
import { makeApiClientWithTimeout } from '../programs/runtime/requestTimeout.js';

export interface LiveSource {
  /** A kubeconfig file; else $KUBECONFIG, else ~/.kube/config, else in-cluster (as kubectl). */
  readonly kubeconfig?: string;
  /** A context of that kubeconfig; else its current context. */
  readonly context?: string;
}

export interface LiveObjects {
  /** `context <name> (<server>)`, for the report. */
  readonly source: string;
  readonly objects: readonly object[];
}

/** Pages of this size keep a 10,000-VM cluster's list requests small. */
const PAGE_SIZE = 500;
const REQUEST_TIMEOUT_MS = 30_000;
const USER_AGENT = 'kvfleet-plan';

/**
 * Where kubectl would find a configuration, or undefined when there is none. client-node's
 * loadFromDefault would then fall back to http://localhost:8080 and fail later with a TLS message
 * that names nothing the user did; saying so here is clearer.
 */
export function defaultKubeconfigSource(env: NodeJS.ProcessEnv = process.env, home = homedir()): string | undefined {
  if (env.KUBECONFIG) return `$KUBECONFIG (${env.KUBECONFIG})`;
  if (existsSync(join(home, '.kube', 'config'))) return '~/.kube/config';
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return 'the in-cluster service account';
  return undefined;
}

export function loadKubeConfig(source: LiveSource): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfig) {
    if (!existsSync(source.kubeconfig)) throw new Error(`kubeconfig ${source.kubeconfig} does not exist`);
    kc.loadFromFile(source.kubeconfig);
  } else {
    if (defaultKubeconfigSource() === undefined) {
      throw new Error('no kubeconfig found: pass --kubeconfig <file>, set KUBECONFIG, or create ~/.kube/config (as for kubectl)');
    }
    kc.loadFromDefault();
  }
  if (source.context) {
    if (!kc.getContextObject(source.context)) {
      const have = kc.getContexts().map((c) => c.name);
      throw new Error(`no context "${source.context}" in the kubeconfig (have: ${have.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(source.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('the kubeconfig names no current cluster: pass --context or --kubeconfig');
  return kc;
}

interface ListPage {
  readonly items?: readonly object[];
  readonly metadata?: { readonly _continue?: string; readonly continue?: string };
}

/** Every page of one list, following `continue` tokens. */
async function listAll(what: string, list: (cont: string | undefined) => Promise<ListPage>): Promise<object[]> {
  const items: object[] = [];
  let cont: string | undefined;
  do {
    let page: ListPage;
    try {
      page = await list(cont);
    } catch (e) {
      throw new Error(listFailure(what, e));
    }
    items.push(...(page.items ?? []));
    cont = page.metadata?._continue ?? page.metadata?.continue;
  } while (cont);
  return items;
}

function listFailure(what: string, e: unknown): string {
  const status = statusOf(e);
  const detail = describeApiError(e);
  if (status === 403) return `not allowed to list ${what}: ${detail} (kvfleet plan needs list on nodes, virtualmachines and virtualmachineinstances)`;
  if (status === 404) return `cannot list ${what}: the API server does not serve it (${detail}); is KubeVirt installed on this cluster?`;
  return `cannot list ${what}: ${detail}`;
}

/** Lists Nodes, VMs and VMIs (kinds set on every item: list responses of typed clients omit them). */
export async function readLiveObjects(source: LiveSource): Promise<LiveObjects> {
  const kc = loadKubeConfig(source);
  const core = makeApiClientWithTimeout(kc, CoreV1Api, REQUEST_TIMEOUT_MS, USER_AGENT);
  const custom = makeApiClientWithTimeout(kc, CustomObjectsApi, REQUEST_TIMEOUT_MS, USER_AGENT);
  const kubevirt = (plural: string) => (cont: string | undefined) =>
    custom.listClusterCustomObject({ group: 'kubevirt.io', version: 'v1', plural, limit: PAGE_SIZE, ...(cont ? { _continue: cont } : {}) }) as Promise<ListPage>;
  const [nodes, vms, vmis] = await Promise.all([
    listAll('nodes', (cont) => core.listNode({ limit: PAGE_SIZE, ...(cont ? { _continue: cont } : {}) }) as Promise<ListPage>),
    listAll('virtualmachines.kubevirt.io', kubevirt('virtualmachines')),
    listAll('virtualmachineinstances.kubevirt.io', kubevirt('virtualmachineinstances')),
  ]);
  const withKind = (kind: string, apiVersion: string) => (o: object) => ({ ...o, apiVersion, kind });
  return {
    source: `context ${kc.getCurrentContext()} (${kc.getCurrentCluster()!.server})`,
    objects: [
      ...nodes.map(withKind('Node', 'v1')),
      ...vms.map(withKind('VirtualMachine', 'kubevirt.io/v1')),
      ...vmis.map(withKind('VirtualMachineInstance', 'kubevirt.io/v1')),
    ],
  };
}
