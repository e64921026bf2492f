/**
 * The environment both programs read the same way. Every kvfleet setting is a `KVFLEET_*` variable;
 * only what the downward API passes keeps the names Kubernetes manifests use for it (`NODE_NAME`,
 * `POD_NAME`, `POD_NAMESPACE`). The generators (generators/nodeLabeller.ts,
 * generators/migrationController.ts) write these constants and the programs read them, so manifest
 * and program cannot disagree about a name.
 */

/** The mounted `matrix.yaml` of the `kvfleet-machine-types` ConfigMap. */
export const MATRIX_FILE_ENV = 'KVFLEET_MATRIX_FILE';
/** Port of /metrics, /healthz and /readyz. */
export const METRICS_PORT_ENV = 'KVFLEET_METRICS_PORT';
/** Address the probe server binds: all interfaces in a pod, loopback when run on a workstation. */
export const METRICS_HOST_ENV = 'KVFLEET_METRICS_HOST';

export const DEFAULT_METRICS_PORT = 8080;
export const DEFAULT_METRICS_HOST = '0.0.0.0';

export type PortResult = { readonly ok: true; readonly port: number } | { readonly ok: false; readonly problem: string };

/**
 * A TCP port from the text of `source` (a variable or a flag); unset or empty means
 * DEFAULT_METRICS_PORT. The problem names the source, the value and the fix.
 */
export function portFrom(source: string, raw: string | undefined): PortResult {
  if (raw === undefined || raw === '') return { ok: true, port: DEFAULT_METRICS_PORT };
  // Decimal digits only: Number() would also take "0x50", "8e3" and " 80 ".
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (port >= 1 && port <= 65_535) return { ok: true, port };
  return {
    ok: false,
    problem: `${source}=${JSON.stringify(raw)} is not a port: set an integer from 1 to 65535, or leave it unset for ${DEFAULT_METRICS_PORT}`,
  };
}
