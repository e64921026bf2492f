/**
 * promtool unit tests for every alert of generators/observability/alertRules.ts: for each, series on
 * which it must fire (with the exact labels and value it fires with) and series on which it must stay
 * quiet. Built from a cluster's thresholds, so each cluster's own rule file is tested with the numbers
 * in its definition. Series are sampled every minute from t=0; `_` is a missing sample (promtool's
 * notation), `a+bxN` N+1 samples from a stepping by b.
 */
import { type AlertThresholds } from '../../fleet/clusterSchemaAlerts.js';
import { JOBS } from '../../generators/observability/alertRules.js';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface FiringAlert {
  /** The labels from the expression (`severity` and `alertname` are added from the rule). */
  readonly labels: Readonly<Record<string, string>>;
  /** `$value` at the evaluation, for the annotation templates. */
  readonly value: number;
}

export interface AlertCase {
  /** Completes "fires when …" / "stays quiet when …". */
  readonly when: string;
  readonly series: readonly InputSeries[];
  readonly evalMinutes: number;
  /** Empty for a quiet case. */
  readonly alerts: readonly FiringAlert[];
}

export interface AlertCases {
  readonly firing: AlertCase;
  readonly quiet: AlertCase;
}

const s = (series: string, values: string): InputSeries => ({ series, values });
/** A counter at 0 for the first 5 minutes, then at `n` for the rest of the hour. */
const stepTo = (n: number) => `0x5 ${n}x55`;
/** A gauge absent for 5 minutes, then `v` for the rest of the hour. */
const appearsAt5m = (v: number) => `_x5 ${v}x55`;
const flat = (v: number, minutes = 60) => `${v}x${minutes}`;

const LABELLER_POD = 'kvfleet-node-labeller-rhel9-x7k2p';
const labeller = (node: string, extra = '') => `instance="${node}", job="${JOBS.labeller}", namespace="kvfleet-system", pod="${LABELLER_POD}"${extra}`;
const controller = (pod: string) => `job="${JOBS.controller}", namespace="kvfleet-system", pod="kvfleet-migration-controller-${pod}"`;
/** One VMIM series of KubeVirt's outcome gauges. */
const vmim = (metric: string, i: number) => `${metric}{namespace="vms", vmi="vm-${i}", vmim="vm-${i}-migration"}`;
const vmims = (metric: string, n: number, values: string) => Array.from({ length: n }, (_, i) => s(vmim(metric, i), values));

/**
 * The cases of every alert, for a cluster with these thresholds. Keys are alert names.
 * Long function: a table of every alert's cases, one entry per alert; split, the entries would only
 * move apart from the thresholds they are computed from.
 */
export function alertCases(t: AlertThresholds): Record<string, AlertCases> {
  const failures = t.migrationFailureMinCount;
  // Enough migrations that the failed share is at the threshold, not above it.
  const quietTotal = Math.ceil((failures * 100) / t.migrationFailurePercent);
  const drift = t.machineTypeDriftMinutes;
  // An error rate per minute that reaches the threshold within 15 minutes (increase() sees 15 per window).
  const errorsPerMinute = Math.ceil(t.reconcileErrorCount / 15);

  return {
    KvfleetMigrationFailureRate: {
      firing: {
        // The labelled counters appear with their first increment, as prom-client creates them.
        when: `every one of ${failures} migrations ending fails, the controller's first since it started`,
        series: [
          s('kvfleet_migration_failures_total{fixable="true", reason="TargetUnschedulable"}', appearsAt5m(failures)),
          s('kvfleet_migrations_total{origin="user", result="failed"}', appearsAt5m(failures)),
        ],
        evalMinutes: 20,
        alerts: [{ labels: {}, value: 1 }],
      },
      quiet: {
        when: `${failures} of ${quietTotal} migrations fail (${t.migrationFailurePercent}% or less)`,
        series: [
          s('kvfleet_migration_failures_total{fixable="true", reason="TargetUnschedulable"}', stepTo(failures)),
          s('kvfleet_migrations_total{origin="user", result="failed"}', stepTo(failures)),
          s('kvfleet_migrations_total{origin="user", result="succeeded"}', stepTo(quietTotal - failures)),
        ],
        evalMinutes: 20,
        alerts: [],
      },
    },
    KvfleetKubevirtMigrationFailureRate: {
      firing: {
        when: `KubeVirt reports ${failures} new failed VMIMs and no kvfleet replica leads`,
        series: [...vmims('kubevirt_vmi_migration_failed', failures, appearsAt5m(1)), s(`kvfleet_leader{${controller('a')}}`, flat(0))],
        evalMinutes: 20,
        alerts: [{ labels: {}, value: 1 }],
      },
      quiet: {
        when: 'the same failures happen while a kvfleet replica leads (KvfleetMigrationFailureRate covers them)',
        series: [...vmims('kubevirt_vmi_migration_failed', failures, appearsAt5m(1)), s(`kvfleet_leader{${controller('a')}}`, flat(1))],
        evalMinutes: 20,
        alerts: [],
      },
    },
    KvfleetMigrationNoCompatibleTarget: {
      firing: {
        when: `${t.noCompatibleTargetCount} fixable failure(s) find no compatible node`,
        series: [s('kvfleet_migration_no_compatible_target_total', stepTo(t.noCompatibleTargetCount))],
        evalMinutes: 20,
        alerts: [{ labels: {}, value: t.noCompatibleTargetCount }],
      },
      quiet: {
        when: `${t.noCompatibleTargetCount - 1} fixable failure(s) find no compatible node`,
        series: [s('kvfleet_migration_no_compatible_target_total', stepTo(t.noCompatibleTargetCount - 1))],
        evalMinutes: 20,
        alerts: [],
      },
    },
    KvfleetMigrationFallbacksExhausted: {
      firing: {
        when: `${t.fallbacksExhaustedCount} migration(s) use up their attempts, the first since the controller started`,
        series: [s('kvfleet_migration_failures_total{fixable="true", reason="AttemptsExhausted"}', appearsAt5m(t.fallbacksExhaustedCount))],
        evalMinutes: 20,
        alerts: [{ labels: {}, value: t.fallbacksExhaustedCount }],
      },
      quiet: {
        when: 'migrations fail for other reasons, however many, and attempts ran out only before the window',
        series: [
          s('kvfleet_migration_failures_total{fixable="true", reason="AttemptsExhausted"}', flat(t.fallbacksExhaustedCount)),
          s('kvfleet_migration_failures_total{fixable="true", reason="TargetUnschedulable"}', appearsAt5m(50)),
        ],
        evalMinutes: 40,
        alerts: [],
      },
    },
    KvfleetMachineTypeWithoutSchedulableNode: {
      firing: {
        when: 'VMIs run a RHEL 8 type whose only pool is cordoned for its upgrade, as both replicas report',
        series: ['a', 'b'].flatMap((pod) => [
          s(`kvfleet_machine_type_running_vmis{${controller(pod)}, machine_type="pc-q35-rhel8.6.0"}`, flat(3)),
          s(`kvfleet_machine_type_schedulable_nodes{${controller(pod)}, machine_type="pc-q35-rhel8.6.0"}`, flat(0)),
        ]),
        evalMinutes: t.machineTypeWithoutNodeMinutes + 2,
        alerts: [{ labels: { machine_type: 'pc-q35-rhel8.6.0' }, value: 3 }],
      },
      quiet: {
        when: 'every type that VMIs run has a schedulable node, and a type no node offers has no VMIs',
        series: [
          s(`kvfleet_machine_type_running_vmis{${controller('a')}, machine_type="pc-q35-rhel8.6.0"}`, flat(3)),
          s(`kvfleet_machine_type_schedulable_nodes{${controller('a')}, machine_type="pc-q35-rhel8.6.0"}`, flat(2)),
          s(`kvfleet_machine_type_running_vmis{${controller('a')}, machine_type="pc-q35-rhel7.6.0"}`, flat(0)),
          s(`kvfleet_machine_type_schedulable_nodes{${controller('a')}, machine_type="pc-q35-rhel7.6.0"}`, flat(0)),
        ],
        evalMinutes: t.machineTypeWithoutNodeMinutes + 2,
        alerts: [],
      },
    },
    KvfleetNodeMachineTypeDrift: {
      firing: {
        when: `a node measures no planned launcher's set for longer than ${drift} minutes`,
        series: [s(`kvfleet_node_machine_type_drift{${labeller('node-1')}, node="node-1", pool="rhel9", reason="unknown-launcher"}`, flat(1, drift + 10))],
        evalMinutes: drift + 5,
        alerts: [{ labels: { node: 'node-1', pool: 'rhel9', reason: 'unknown-launcher' }, value: 1 }],
      },
      quiet: {
        when: "a node in virt-handler's canary window (the next step's launcher) for as long as the upgrade lasts",
        series: [s(`kvfleet_node_machine_type_drift{${labeller('node-1')}, node="node-1", pool="rhel9", reason="canary"}`, flat(1, drift + 10))],
        evalMinutes: drift + 5,
        alerts: [],
      },
    },
    KvfleetNodeKubevirtMachineTypeDrift: {
      firing: {
        when: `KubeVirt's labels on a node disagree with QEMU for longer than ${drift} minutes`,
        series: [s(`kvfleet_node_kubevirt_machine_type_drift{${labeller('node-1')}, node="node-1"}`, flat(1, drift + 10))],
        evalMinutes: drift + 5,
        alerts: [{ labels: { node: 'node-1' }, value: 1 }],
      },
      quiet: {
        when: "KubeVirt's labels agree",
        series: [s(`kvfleet_node_kubevirt_machine_type_drift{${labeller('node-1')}, node="node-1"}`, flat(0, drift + 10))],
        evalMinutes: drift + 5,
        alerts: [],
      },
    },
    KvfleetNodeLabellerAbsent: {
      firing: {
        when: 'no labeller target exists, only the controller',
        series: [s(`up{${controller('a')}, instance="10.0.0.7:8080"}`, flat(1))],
        evalMinutes: 20,
        alerts: [{ labels: {}, value: 1 }],
      },
      quiet: {
        when: 'one labeller is up and another down (KvfleetNodeLabellerDown covers that)',
        series: [s(`up{${labeller('node-1')}}`, flat(1)), s(`up{${labeller('node-2')}}`, flat(0))],
        evalMinutes: 20,
        alerts: [],
      },
    },
    KvfleetNodeLabellerDown: {
      firing: {
        when: "a labeller's scrape fails for 20 minutes",
        series: [s(`up{${labeller('node-1')}}`, flat(0))],
        evalMinutes: 20,
        alerts: [{ labels: { instance: 'node-1', job: JOBS.labeller, namespace: 'kvfleet-system', pod: LABELLER_POD }, value: 0 }],
      },
      quiet: {
        when: "a labeller's scrape fails for 10 minutes, then succeeds",
        series: [s(`up{${labeller('node-1')}}`, '0x10 1x50')],
        evalMinutes: 20,
        alerts: [],
      },
    },
    KvfleetNodeLabellerNotReconciling: {
      firing: {
        when: `a labeller's last success stays at t=60s for longer than ${t.labellerStaleMinutes} minutes`,
        series: [s(`kvfleet_node_labeller_last_success_timestamp_seconds{${labeller('node-1')}}`, flat(60, t.labellerStaleMinutes + 20))],
        evalMinutes: t.labellerStaleMinutes + 8,
        alerts: [{ labels: { instance: 'node-1' }, value: (t.labellerStaleMinutes + 8) * 60 - 60 }],
      },
      quiet: {
        when: 'a labeller succeeds every minute',
        series: [s(`kvfleet_node_labeller_last_success_timestamp_seconds{${labeller('node-1')}}`, `0+60x${t.labellerStaleMinutes + 20}`)],
        evalMinutes: t.labellerStaleMinutes + 8,
        alerts: [],
      },
    },
    KvfleetNodeLabellerReconcileErrors: {
      firing: {
        when: `a labeller fails ${errorsPerMinute} time(s) a minute, for 35 minutes`,
        series: [s(`kvfleet_node_labeller_errors_total{${labeller('node-1')}, reason="node_patch"}`, `0+${errorsPerMinute}x60`)],
        evalMinutes: 35,
        alerts: [{ labels: { instance: 'node-1', reason: 'node_patch' }, value: 15 * errorsPerMinute }],
      },
      quiet: {
        when: 'a labeller failed once, an hour ago',
        series: [s(`kvfleet_node_labeller_errors_total{${labeller('node-1')}, reason="node_patch"}`, '0 1x60')],
        evalMinutes: 35,
        alerts: [],
      },
    },
    KvfleetMigrationControllerAbsent: {
      firing: {
        when: 'both controller replicas are down',
        series: [s(`up{${controller('a')}, instance="10.0.0.7:8080"}`, flat(0)), s(`up{${controller('b')}, instance="10.0.0.8:8080"}`, flat(0))],
        evalMinutes: 15,
        alerts: [{ labels: {}, value: 1 }],
      },
      quiet: {
        when: 'one replica is up',
        series: [s(`up{${controller('a')}, instance="10.0.0.7:8080"}`, flat(1)), s(`up{${controller('b')}, instance="10.0.0.8:8080"}`, flat(0))],
        evalMinutes: 15,
        alerts: [],
      },
    },
    KvfleetMigrationControllerNotReconciling: {
      firing: {
        when: 'KubeVirt reports a failed VMIM and the leading controller counts no failure',
        series: [
          ...vmims('kubevirt_vmi_migration_failed', 1, appearsAt5m(1)),
          s(`kvfleet_leader{${controller('a')}}`, flat(1)),
          s(`kvfleet_migration_failures_total{${controller('a')}, fixable="true", reason="TargetUnschedulable"}`, flat(0)),
        ],
        evalMinutes: 25,
        alerts: [{ labels: {}, value: 1 }],
      },
      quiet: {
        when: 'the leading controller judges the failure a minute later',
        series: [
          ...vmims('kubevirt_vmi_migration_failed', 1, appearsAt5m(1)),
          s(`kvfleet_leader{${controller('a')}}`, flat(1)),
          s(`kvfleet_migration_failures_total{${controller('a')}, fixable="true", reason="TargetUnschedulable"}`, '0x6 1x54'),
        ],
        evalMinutes: 25,
        alerts: [],
      },
    },
    KvfleetMigrationControllerReconcileErrors: {
      firing: {
        when: `creating fallback VMIMs fails ${errorsPerMinute} time(s) a minute, for 35 minutes`,
        series: [s(`kvfleet_reconcile_errors_total{${controller('a')}, reason="vmim-create"}`, `0+${errorsPerMinute}x60`)],
        evalMinutes: 35,
        alerts: [{ labels: { reason: 'vmim-create' }, value: 15 * errorsPerMinute }],
      },
      quiet: {
        when: 'a create failed once, then the retry succeeded',
        series: [s(`kvfleet_reconcile_errors_total{${controller('a')}, reason="vmim-create"}`, '0x10 1x50')],
        evalMinutes: 35,
        alerts: [],
      },
    },
    KvfleetMigrationControllerNoLeader: {
      firing: {
        when: 'both replicas run and neither holds the Lease',
        series: [s(`kvfleet_leader{${controller('a')}}`, flat(0)), s(`kvfleet_leader{${controller('b')}}`, flat(0))],
        evalMinutes: 10,
        alerts: [{ labels: {}, value: 0 }],
      },
      quiet: {
        when: 'the Lease moves from one replica to the other within a minute',
        series: [s(`kvfleet_leader{${controller('a')}}`, '1x5 0x55'), s(`kvfleet_leader{${controller('b')}}`, '0x6 1x54')],
        evalMinutes: 10,
        alerts: [],
      },
    },
    KvfleetMigrationControllerMultipleLeaders: {
      firing: {
        when: 'both replicas report holding the Lease for 10 minutes',
        series: [s(`kvfleet_leader{${controller('a')}}`, flat(1)), s(`kvfleet_leader{${controller('b')}}`, flat(1))],
        evalMinutes: 10,
        alerts: [{ labels: {}, value: 2 }],
      },
      quiet: {
        when: 'the old and the new leader overlap for one scrape during a handover',
        series: [s(`kvfleet_leader{${controller('a')}}`, '1x5 0x55'), s(`kvfleet_leader{${controller('b')}}`, '0x4 1x56')],
        evalMinutes: 10,
        alerts: [],
      },
    },
    KvfleetKubeOvnNetworkNotReadyBeforeRunning: {
      firing: {
        when: `${t.kubeOvnRunningBeforeNetworkReadyCount} migration(s) reach Running before the target network is routed`,
        series: [s('kvfleet_migration_running_before_network_ready_total', stepTo(t.kubeOvnRunningBeforeNetworkReadyCount))],
        evalMinutes: 20,
        alerts: [{ labels: {}, value: t.kubeOvnRunningBeforeNetworkReadyCount }],
      },
      quiet: {
        when: `${t.kubeOvnRunningBeforeNetworkReadyCount - 1} migration(s) do`,
        series: [s('kvfleet_migration_running_before_network_ready_total', stepTo(t.kubeOvnRunningBeforeNetworkReadyCount - 1))],
        evalMinutes: 20,
        alerts: [],
      },
    },
  };
}
