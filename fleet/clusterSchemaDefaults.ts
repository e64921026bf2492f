/**
 * Defaults of the optional settings of a cluster definition. A module of its own because both the
 * schema (its messages name them) and the generators and programs (they apply them) need them.
 */

/** What an absent `migration` field means, field by field (documented in clusterSchema.ts). */
export const DEFAULT_MIGRATION_SETTINGS = {
  fallbackAttempts: 3,
  attemptWindowSeconds: 3600,
  backoffBaseSeconds: 10,
  unschedulableTimeoutSeconds: 120,
  fallbackUnschedulableTimeoutSeconds: 60,
  finishedMigrationTtlSeconds: 3600,
} as const satisfies Readonly<Record<string, number>>;

export const DEFAULT_NAMESPACE = 'kvfleet-system';
