import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MATRIX_CONFIGMAP_KEY, MATRIX_CONFIGMAP_NAME, type MatrixDocument, renderMatrixDocument } from '../compatibility/matrixDocument.js';

export interface MachineTypeMatrixConfigMapProps {
  readonly matrix: MatrixDocument;
  readonly namespace: string;
  /** @default 'kvfleet-machine-types' */
  readonly name?: string;
}

/**
 * The cluster's resolved matrix (compatibility/matrixDocument.ts: the steps `now` and after each
 * planned step with their launchers, and every pool's set at each step), readable in a PR diff and
 * mounted by the labeller (drift, canary window) and the controller (pools, planned losses).
 */
export class MachineTypeMatrixConfigMap extends Construct {
  readonly name: string;
  readonly configMap: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: MachineTypeMatrixConfigMapProps) {
    super(scope, id);
    this.name = props.name ?? MATRIX_CONFIGMAP_NAME;
    this.configMap = new kplus.ConfigMap(this, 'Resource', {
      metadata: { name: this.name, namespace: props.namespace },
      data: { [MATRIX_CONFIGMAP_KEY]: renderMatrixDocument(props.matrix) },
    });
  }
}
