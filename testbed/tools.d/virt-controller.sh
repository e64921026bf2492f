#!/usr/bin/env bash
# Builds KubeVirt's virt-controller and writes the CRDs of the same version, for the real-controller tests
# (testbed/harness/virtController.ts). Called by testbed/tools.sh ensure|paths; runs on its own as well:
#
#   testbed/tools.d/virt-controller.sh ensure   build what is missing (progress on stderr), print name=path lines
#   testbed/tools.d/virt-controller.sh paths    print the name=path lines; exit 1 if something is missing
#
# Output lines, per KubeVirt version V (KVFLEET_KUBEVIRT_VERSIONS, default "v1.7.0"), named with the
# dots of V as underscores (testbed/harness/toolPaths.ts reads names of [A-Za-z0-9_-]):
#   virt-controller-v1_7_0=$BIN/virt-controller-V                           the binary (static, ~65 MB)
#   kubevirt-crds-v1_7_0=$CACHE/kubevirt-crds/V-<crdgen hash>/crds.json   the 17 CRDs as one v1 List (crds.yaml beside it)
#
# Why not a wrapper module like testbed/go/kube: the kubevirt.io/kubevirt module zip cannot be built as it comes.
# It ships a go.work and replace directives to staging/src/kubevirt.io/{api,client-go}, which module zips
# leave out (nested modules), and no vendor tree. So (see ../../tools/virt-controller/README.md):
#   1. copy the module from the module cache to $CACHE/src/kubevirt-V (writable), drop vendor/, go.work*;
#   2. put kubevirt.io/api and kubevirt.io/client-go from the module cache into staging/ (the versions
#      in KUBEVIRT_STAGING below: the proxy refuses some client-go zips, e.g. v1.6.1);
#   3. GOFLAGS=-mod=mod CGO_ENABLED=0 go build ./cmd/virt-controller  (13-17 min cold on a busy 2-core machine);
#   4. copy testbed/go/virt-controller/crdgen/main.go in as cmd/kvfleet-crdgen, build and run it: it writes the
#      CRDs from pkg/virt-operator/resource/generate/components.New*Crd() of that very copy.
# Versions the proxy serves whole: v1.5.0, v1.6.0, v1.6.1, v1.7.0 (v1.6.2 and v1.6.3 answer 403 for the zip).
# v1.5.0 is bench-only (sim/pre-native-selector: before KubeVirt's own machine-type selector), never in the
# default list: measured 2026-12-07, api@v1.5.0 and client-go@v1.5.0 served, its glog replace dropped (below),
# 345 s to compile with the Go build cache already holding v1.7.0's dependencies (load average 10-13, not a
# cold build), 202 s to generate the 17 CRDs with the unchanged crdgen, 547 s in all; 60 MB binary.
set -euo pipefail

# shellcheck source=../tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools.sh"

CRDGEN_SRC=$ROOT/testbed/go/virt-controller/crdgen/main.go
CRDGEN_HASH=$(sha256sum "$CRDGEN_SRC" | cut -c1-12)
read -r -a VERSIONS <<<"${KVFLEET_KUBEVIRT_VERSIONS:-v1.7.0}"

# "<kubevirt.io/api version> <kubevirt.io/client-go version>" for a kubevirt.io/kubevirt version.
staging_versions() {
  case $1 in
    v1.5.0) echo "v1.5.0 v1.5.0" ;; # bench-only (sim/pre-native-selector): the last release without KubeVirt's machine-type selector
    v1.6.0) echo "v1.6.0 v1.6.0" ;;
    v1.6.1) echo "v1.6.1 v1.6.2" ;; # client-go@v1.6.1's zip is refused (403); v1.6.2's staging is the same API
    v1.7.0) echo "v1.7.0 v1.7.0" ;;
    *) die "virt-controller: no staging versions known for kubevirt.io/kubevirt $1 (add them to staging_versions)" ;;
  esac
}

# `replace` directives to staging/ folders other than api and client-go that the module zip lacks (nested modules),
# dropped so the required upstream module is used. v1.5.0 (and 1.5.x) replace github.com/golang/glog with KubeVirt's
# own copy in staging/src/github.com/golang/glog; upstream dropped that copy for the required upstream release
# (kubevirt commit 6bf4001815 "cleanup: Remove staging of glog", in v1.6.0: "no apparent difference in the logs"),
# so v1.5.0 is built with github.com/golang/glog v1.2.1, the version its go.mod requires. Only logging changes.
dropped_replaces() {
  case $1 in
    v1.5.0) echo "github.com/golang/glog" ;;
    *) echo "" ;;
  esac
}

vc_bin() { echo "$BIN/virt-controller-$1"; }
crd_file() { echo "$CACHE/kubevirt-crds/$1-$CRDGEN_HASH/crds.json"; }

vc_paths() {
  local v missing=0
  for v in "${VERSIONS[@]}"; do
    if [[ -x $(vc_bin "$v") ]]; then echo "virt-controller-${v//./_}=$(vc_bin "$v")"; else
      echo "virt-controller.sh: missing virt-controller $v ($(vc_bin "$v")); run testbed/tools.sh ensure" >&2
      missing=1
    fi
    if [[ -s $(crd_file "$v") ]]; then echo "kubevirt-crds-${v//./_}=$(crd_file "$v")"; else
      echo "virt-controller.sh: missing KubeVirt $v CRDs ($(crd_file "$v")); run testbed/tools.sh ensure" >&2
      missing=1
    fi
  done
  return "$missing"
}

# Writable, buildable copy of kubevirt.io/kubevirt@$1 in $CACHE/src/kubevirt-$1 (made once).
prepare_src() {
  local v=$1 api cgo src tmp mod
  read -r api cgo <<<"$(staging_versions "$v")"
  src=$CACHE/src/kubevirt-$v
  if [[ -f $src/.kvfleet-ready ]]; then
    echo "$src"
    return 0
  fi
  log "virt-controller $v: downloading kubevirt.io/kubevirt@$v, kubevirt.io/api@$api, kubevirt.io/client-go@$cgo"
  (cd / && go mod download "kubevirt.io/kubevirt@$v" "kubevirt.io/api@$api" "kubevirt.io/client-go@$cgo") >&2 ||
    die "virt-controller $v: go mod download failed (the proxy serves whole modules only for some versions)"
  mod=$GOMODCACHE/kubevirt.io
  rm -rf "$src"
  mkdir -p "$CACHE/src"
  tmp=$(mktemp -d "$CACHE/src/.kubevirt-$v.XXXXXX")
  cp -r "$mod/kubevirt@$v/." "$tmp/"
  chmod -R u+w "$tmp"
  rm -rf "$tmp/vendor" "$tmp/go.work" "$tmp/go.work.sum" "$tmp/staging/src/kubevirt.io/api" "$tmp/staging/src/kubevirt.io/client-go"
  mkdir -p "$tmp/staging/src/kubevirt.io"
  cp -r "$mod/api@$api" "$tmp/staging/src/kubevirt.io/api"
  cp -r "$mod/client-go@$cgo" "$tmp/staging/src/kubevirt.io/client-go"
  chmod -R u+w "$tmp/staging"
  local r
  for r in $(dropped_replaces "$v"); do
    (cd "$tmp" && go mod edit -dropreplace="$r") || die "virt-controller $v: go mod edit -dropreplace=$r failed"
    log "virt-controller $v: dropped the replace of $r (its staging copy is not in the module zip)"
  done
  touch "$tmp/.kvfleet-ready"
  mv "$tmp" "$src"
  log "virt-controller $v: source copy ready in $src"
  echo "$src"
}

build_version() {
  local v=$1 src t0 tmp out crds
  out=$(vc_bin "$v")
  crds=$(crd_file "$v")
  [[ -x $out && -s $crds ]] && return 0
  t0=$SECONDS
  src=$(prepare_src "$v")
  # -mod=mod: the copy's go.mod/go.sum get the requirements the dropped vendor tree used to provide.
  export GOFLAGS="-mod=mod -modcacherw"
  if [[ ! -x $out ]]; then
    log "virt-controller $v: resolving modules (go list -deps ./cmd/virt-controller)"
    (cd "$src" && go list -deps ./cmd/virt-controller >/dev/null) || die "virt-controller $v: module resolution failed"
    log "virt-controller $v: modules ready after $((SECONDS - t0))s; compiling (5-17 min cold on 2 cores, depending on load)"
    tmp=$(mktemp "$BIN/.virt-controller-$v.XXXXXX")
    if ! (cd "$src" && go build -trimpath -ldflags "-s -w -X kubevirt.io/client-go/version.gitVersion=$v -X kubevirt.io/client-go/version.gitTreeState=clean" -o "$tmp" ./cmd/virt-controller); then
      rm -f "$tmp"
      die "virt-controller $v: build failed"
    fi
    # Verify: it is virt-controller (its flags). (Output
    # captured first: grep -q closing the pipe early would fail the pipeline under pipefail.)
    local help
    help=$(timeout 30 "$tmp" --help 2>&1 || true)
    if ! grep -q -- '--launcher-image' <<<"$help"; then
      echo "$help" | tail -5 >&2
      rm -f "$tmp"
      die "virt-controller $v: the built binary does not know --launcher-image"
    fi
    # -trimpath keeps -ldflags out of the build info; it still names the main package and the staging
    # replacement, which only this copy (prepared from kubevirt.io/kubevirt@$v) has.
    local info
    info=$(go version -m "$tmp")
    if ! grep -qE '^\s+path\s+kubevirt.io/kubevirt/cmd/virt-controller$' <<<"$info" || ! grep -qF './staging/src/kubevirt.io/api' <<<"$info"; then
      rm -f "$tmp"
      die "virt-controller $v: build info is not kubevirt.io/kubevirt/cmd/virt-controller with the staging api"
    fi
    chmod 0755 "$tmp"
    mv -f "$tmp" "$out"
    log "virt-controller $v: built in $((SECONDS - t0))s -> $out ($(du -m "$out" | cut -f1) MB)"
  fi
  if [[ ! -s $crds ]]; then
    log "virt-controller $v: generating CRDs with testbed/go/virt-controller/crdgen (compiled in the copy)"
    mkdir -p "$src/cmd/kvfleet-crdgen"
    cp "$CRDGEN_SRC" "$src/cmd/kvfleet-crdgen/main.go"
    tmp=$(mktemp -d "$CACHE/.kubevirt-crds.XXXXXX")
    chmod 0755 "$tmp"
    (cd "$src" && go run ./cmd/kvfleet-crdgen "$tmp") || {
      rm -rf "$tmp"
      die "virt-controller $v: CRD generation failed"
    }
    [[ $(grep -c '"kind": "CustomResourceDefinition"' "$tmp/crds.json") -ge 17 ]] || {
      rm -rf "$tmp"
      die "virt-controller $v: fewer than 17 CRDs generated"
    }
    mkdir -p "$(dirname "$(dirname "$crds")")"
    rm -rf "$(dirname "$crds")"
    mv "$tmp" "$(dirname "$crds")"
    log "virt-controller $v: CRDs -> $crds"
  fi
}

vc_ensure() {
  local v missing=0
  for v in "${VERSIONS[@]}"; do [[ -x $(vc_bin "$v") && -s $(crd_file "$v") ]] || missing=1; done
  if ((missing)); then
    mkdir -p "$CACHE"
    exec 8>"$CACHE/.virt-controller.lock"
    flock 8 # one builder at a time per cache (a second ensure waits, then finds the binary)
    setup_go
    for v in "${VERSIONS[@]}"; do build_version "$v"; done
  fi
  vc_paths
}

case ${1:-} in
  ensure) vc_ensure ;;
  paths) vc_paths ;;
  *)
    echo "usage: $0 ensure|paths" >&2
    exit 2
    ;;
esac
