import { KubeConfig } from '@kubernetes/client-node';
import { shareConnections } from './sharedConnections.js';

/**
 * In a pod: the service account; elsewhere: $KUBECONFIG or ~/.kube/config (client-node's order).
 * Every client made from it shares one keep-alive connection pool (sharedConnections.ts).
 */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no Kubernetes configuration found (in-cluster service account, $KUBECONFIG or ~/.kube/config)');
  return shareConnections(kc);
}
