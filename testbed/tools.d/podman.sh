#!/usr/bin/env bash
# podman and runc, with which the image tests (*.podman.test.ts) and bench/images.bench.ts run the programs'
# images as the cluster would: read-only root, uid 65532, no capabilities, the generated pod spec's env and
# mounts (testbed/harness/podman.ts).
#
#   testbed/tools.d/podman.sh ensure   install them if missing (progress on stderr), then print podman=… and runc=…
#   testbed/tools.d/podman.sh paths    print podman=/abs/path and runc=/abs/path only; exit 1 if one is missing
#
# Debian's packages (podman 4.3.1, runc 1.1.5 on Debian 12), installed with apt-get --no-install-recommends
# when run as root; anyone else is told how. runc, not podman's default crun: crun 1.8 fails on these
# machines' hybrid cgroup layout ("cgroups in hybrid mode not supported"), so the harness always passes
# --runtime with this runc path.
set -euo pipefail
# shellcheck source=../tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools.sh"

PODMAN_PACKAGES=(podman runc)

podman_path() { command -v podman 2>/dev/null || true; }
runc_path() { command -v runc 2>/dev/null || true; }

print_podman_paths() {
  local podman runc rc=0
  podman=$(podman_path)
  runc=$(runc_path)
  if [[ -n $podman ]]; then echo "podman=$podman"; else
    echo "podman.sh: missing podman (Debian package podman); run testbed/tools.sh ensure as root" >&2
    rc=1
  fi
  if [[ -n $runc ]]; then echo "runc=$runc"; else
    echo "podman.sh: missing runc (Debian package runc); run testbed/tools.sh ensure as root" >&2
    rc=1
  fi
  return "$rc"
}

# Only when one is missing: apt is never touched on a ready machine.
podman_ensure() {
  if [[ -z $(podman_path) || -z $(runc_path) ]]; then
    apt_install 'podman or runc' 'the image tests need them' "${PODMAN_PACKAGES[@]}"
    log "podman: $(podman --version) -> $(podman_path); $(runc --version | head -1) -> $(runc_path)"
  fi
  print_podman_paths
}

case ${1:-} in
  ensure) podman_ensure ;;
  paths) print_podman_paths ;;
  *)
    echo "usage: $0 ensure|paths" >&2
    exit 2
    ;;
esac
