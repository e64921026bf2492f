/**
 * KubeVirt's part of the upgrade simulator (issue 11). See README.md in this folder.
 */
export { ApiCalls, SimStoppedError } from './apiCalls.js';
export { type EvacuationDecision, type EvacuationInput, type EvacuationVmi, evacuationVmim, planEvacuation } from './evacuation.js';
export { FAILURE_CAUSES, type FailureCause, type FailureEvent, failureCause, failureMessage } from './failureCause.js';
export { createFleetObjects, type FleetVmi, fleetVmiManifest, kubevirtNodeLabels, setDrainTaint, setNodeReady } from './fleet.js';
export {
  DEFAULT_TIMINGS,
  KubevirtSim,
  type KubevirtSimOptions,
  type MigrationAttempt,
  type MigrationOrigin,
  type SimStats,
  type SimTimings,
  type SimVmiInfo,
} from './kubevirtSim.js';
export { type LauncherRenderOptions, launcherNodeSelector, renderLauncherPod, renderMigrationTargetPod } from './launcherPod.js';
export { DEFAULT_LIMITS, type MigrationLimits } from './migrationRules.js';
export { SimClock, type SimClockOptions } from './simClock.js';
