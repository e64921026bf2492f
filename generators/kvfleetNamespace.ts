import { type ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface KvfleetNamespaceProps {
  /** @default 'kvfleet-system' */
  readonly name?: string;
  /**
   * Pod Security Standards level enforced on the namespace.
   * @default 'restricted' (the labeller and controller both run without privilege)
   */
  readonly podSecurity?: 'restricted' | 'baseline' | 'privileged';
}

/** The namespace kvfleet's workloads run in, with Pod Security Standards enforced. */
export class KvfleetNamespace extends Construct {
  readonly name: string;
  readonly podSecurity: string;
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: KvfleetNamespaceProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'kvfleet-system';
    this.podSecurity = props.podSecurity ?? 'restricted';
    this.apiObject = new kplus.k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: {
          'pod-security.kubernetes.io/enforce': this.podSecurity,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
  }
}
