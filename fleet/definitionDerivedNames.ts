/**
 * Kubernetes names kvfleet derives from names in a cluster definition. Kept beside validation so the
 * limits a derived name imposes on its source are computed from the derivation itself: a pool name
 * the API server would reject inside a derived name is refused before anything is written.
 */
import { DNS_LABEL_MAX_LENGTH } from '../compatibility/labelKeys.js';

/** ServiceAccount, ClusterRole and binding of the node labeller; prefix of its DaemonSets. */
export const NODE_LABELLER_NAME = 'kvfleet-node-labeller';

/**
 * The labeller DaemonSet of one pool, also its `app.kubernetes.io/instance` label value (pod
 * selector and pod template), so it must fit a label value, not just an object name.
 */
export function nodeLabellerInstanceName(pool: string): string {
  return `${NODE_LABELLER_NAME}-${pool}`;
}

/** Longest pool name whose labeller instance name is still a label value: 63 − "kvfleet-node-labeller-" = 41. */
export const MAX_POOL_NAME_LENGTH = DNS_LABEL_MAX_LENGTH - nodeLabellerInstanceName('').length;
