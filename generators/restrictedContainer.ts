/**
 * The security contexts that pass Pod Security Standard `restricted` (non-root, RuntimeDefault
 * seccomp, no privilege escalation, every capability dropped), written once for every kvfleet pod.
 * Every kvfleet container also runs with a read-only root filesystem: each writes only to its
 * emptyDirs. Plain k8s objects rather than cdk8s-plus's `Container`, because the constructs build
 * `KubeDaemonSet` and `KubeDeployment` field for field.
 */
import { type k8s } from 'cdk8s-plus-28';

/** As whom a pod or container runs; the image's user when unset (still required to be non-root). */
export interface RunAs {
  /** Used for the group as well: each of kvfleet's images has a group of the same id. */
  readonly uid?: number;
}

const ids = (uid: number | undefined) => (uid === undefined ? {} : { runAsUser: uid, runAsGroup: uid });

/** A pod's part of `restricted`: non-root, RuntimeDefault seccomp. */
export function restrictedPodSecurityContext({ uid }: RunAs = {}): k8s.PodSecurityContext {
  return { runAsNonRoot: true, ...ids(uid), seccompProfile: { type: 'RuntimeDefault' } };
}

/** A container's part of `restricted`, with a read-only root filesystem. */
export function restrictedContainerSecurityContext({ uid }: RunAs = {}): k8s.SecurityContext {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true, ...ids(uid) };
}
