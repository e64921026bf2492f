import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

let counter = 0;

/** A namespace of its own for one test, so tests never see each other's objects. */
export async function createTestNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const name = `${prefix}-${process.pid}-${++counter}`.slice(0, 63);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}
