/**
 * The typed description of one cluster, as written in `clusters/<name>.ts`. Everything kvfleet
 * generates for a cluster is derived from this and the compatibility matrix. The types are inferred
 * from the schema (clusterSchema.ts, where every field is documented), so what the compiler accepts
 * and what validation accepts are one description.
 */
import type * as z from 'zod';
import {
  type argoCdDestinationSchema,
  type clusterImagesSchema,
  type clusterSchema,
  type kubeOvnSettingsSchema,
  type machineTypeOverridesSchema,
  type migrationSettingsSchema,
  type nodePoolSchema,
} from './clusterSchema.js';
import { DEFAULT_MIGRATION_SETTINGS } from './clusterSchemaDefaults.js';

/** A validated cluster definition: what the generators, policies and programs read. */
export type ClusterDefinition = z.output<typeof clusterSchema>;
/** What a cluster file writes; `architecture`, launcher builds and step kinds are literal unions. */
export type ClusterDefinitionInput = z.input<typeof clusterSchema>;
export type NodePool = z.output<typeof nodePoolSchema>;
export type MachineTypeOverrides = z.output<typeof machineTypeOverridesSchema>;
export type KubeOvnSettings = z.output<typeof kubeOvnSettingsSchema>;
export type ArgoCdDestination = z.output<typeof argoCdDestinationSchema>;
export type ClusterImages = z.output<typeof clusterImagesSchema>;
/** Every migration setting, defaults applied (`migrationSettings`). */
export type MigrationSettings = Required<z.output<typeof migrationSettingsSchema>>;

export { DEFAULT_MIGRATION_SETTINGS, DEFAULT_NAMESPACE } from './clusterSchemaDefaults.js';

/**
 * Typed identity: lets a cluster file be checked by the compiler without importing types by hand.
 * It does not validate: the loader does, with the file's name in every message (fleet/loadFleet.ts).
 */
export function defineCluster(definition: ClusterDefinitionInput): ClusterDefinition {
  return definition;
}

export function migrationSettings(cluster: ClusterDefinition): MigrationSettings {
  return { ...DEFAULT_MIGRATION_SETTINGS, ...cluster.migration };
}
