/**
 * The fleet-level Argo CD objects, synthesised to `dist/_argocd/` and applied once to the cluster
 * Argo CD runs on (docs/operations.md "Deploying with Argo CD"): the AppProjects and the ApplicationSets.
 */
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { type Construct } from 'constructs';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../compatibility/labelKeys.js';
import { type FleetConfig, fleetArgoCd } from '../../fleet/fleetConfigSchema.js';
import { appProjects, type DeliveredCluster } from './appProjects.js';
import { chartApplicationSet, clusterApplicationSet } from './applicationSets.js';

/**
 * The folder of `dist/` for the fleet-level objects. A cluster name is a DNS label, which never
 * starts with "_", so no cluster folder can ever take this name.
 */
export const ARGOCD_FOLDER = '_argocd';

export interface ArgoCdChartProps {
  readonly fleet: FleetConfig;
  /** Every cluster with the objects synthesised for its `dist/` folder. */
  readonly clusters: readonly DeliveredCluster[];
}

export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id, {
      disableResourceNameHashes: true,
      labels: { 'app.kubernetes.io/part-of': 'kvfleet', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    });
    const { fleet, clusters } = props;
    const targets = clusters.map((c) => c.target);
    const objects = [
      ...appProjects({ repoURL: fleet.repoURL, namespace: fleetArgoCd(fleet).namespace, clusters }),
      clusterApplicationSet(fleet, targets),
      chartApplicationSet(fleet, targets),
    ];
    for (const object of objects) {
      if (object) new ApiObject(this, `${object.kind}-${object.metadata.name}`, { ...object, metadata: { ...object.metadata } });
    }
  }
}

/** An app writing the chart flat into `outdir` (`<Kind>.<name>.yaml`, as in the cluster folders). */
export function buildArgoCdApp(props: ArgoCdChartProps, outdir: string): App {
  const app = new App({ outdir, outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
  new ArgoCdChart(app, 'argocd', props);
  return app;
}
