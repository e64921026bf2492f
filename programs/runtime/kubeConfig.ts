import { KubeConfig } from '@kubernetes/client-node';

/** In a pod: the service account; elsewhere: $KUBECONFIG or ~/.kube/config (client-node's order). */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no Kubernetes configuration found (in-cluster service account, $KUBECONFIG or ~/.kube/config)');
  return kc;
}
