#!/usr/bin/env bash
# kube-ovn-controller and its OVN databases for the Kube-OVN test bed (testbed/harness/kubeOvn.ts).
#
#   testbed/tools.d/kube-ovn.sh ensure   build or install whatever is missing (progress on stderr), then print name=/abs/path lines
#   testbed/tools.d/kube-ovn.sh paths    print the name=/abs/path lines only; exit 1 if something is missing (no build)
#
# - kube-ovn-controller from github.com/kubeovn/kube-ovn v1.16.2, the only version the Go module proxy
#   serves (v1.14.x/v1.15.x answer 403). Its replace directives apply only when it is the main module,
#   so it is built in a writable copy of the module (`go build ./cmd/controller`), not through a wrapper
#   module. The binary picks its command from the base name of argv[0], so it must be called
#   `kube-ovn-controller`: the version goes into its folder, $BIN/kube-ovn-<version>/kube-ovn-controller.
# - The OVN NB and SB schemas Kube-OVN's models are generated from (NB 7.11.0, SB 20.41.0), taken from the
#   JSON embedded in pkg/ovsdb/ovn{nb,sb}/model.go: Debian's OVN 23.03 schemas are too old for them.
#   With Kube-OVN's CRDs (charts/kube-ovn-v2/crds/kube-ovn-crd.yaml) they are cached in
#   $CACHE/kube-ovn/<version>/.
# - ovsdb-server, ovsdb-tool, ovsdb-client and ovn-nbctl from Debian's ovn-central (installed with
#   apt-get --no-install-recommends when run as root; anyone else is told how). No northd or
#   ovn-controller runs: kube-ovn-controller only writes the NB database.
# Recipe and pitfalls: ../shared/notes/real-controllers-local.md.
set -euo pipefail
# shellcheck source=../tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools.sh"

KUBE_OVN_MODULE=github.com/kubeovn/kube-ovn
KUBE_OVN_VERSION=v1.16.2
KUBE_OVN_BIN=$BIN/kube-ovn-$KUBE_OVN_VERSION/kube-ovn-controller
KUBE_OVN_DATA=$CACHE/kube-ovn/$KUBE_OVN_VERSION
NB_SCHEMA=$KUBE_OVN_DATA/ovn-nb.ovsschema
SB_SCHEMA=$KUBE_OVN_DATA/ovn-sb.ovsschema
KUBE_OVN_CRDS=$KUBE_OVN_DATA/kube-ovn-crd.yaml
OVN_PACKAGE=ovn-central
OVN_TOOLS=(ovsdb-server ovsdb-tool ovsdb-client ovn-nbctl)

ovn_tool_path() { command -v "$1" 2>/dev/null || true; }

print_kube_ovn_paths() {
  local missing=0 name path t
  for name in kube-ovn-controller ovn-nb-schema ovn-sb-schema kube-ovn-crds; do
    case $name in
      kube-ovn-controller) path=$KUBE_OVN_BIN ;;
      ovn-nb-schema) path=$NB_SCHEMA ;;
      ovn-sb-schema) path=$SB_SCHEMA ;;
      kube-ovn-crds) path=$KUBE_OVN_CRDS ;;
    esac
    if [[ -s $path ]]; then
      echo "$name=$path"
    else
      echo "kube-ovn.sh: missing $name ($path); run testbed/tools.sh ensure" >&2
      missing=1
    fi
  done
  for t in "${OVN_TOOLS[@]}"; do
    path=$(ovn_tool_path "$t")
    if [[ -n $path ]]; then
      echo "$t=$path"
    else
      echo "kube-ovn.sh: missing $t (Debian package $OVN_PACKAGE); run testbed/tools.sh ensure as root" >&2
      missing=1
    fi
  done
  return "$missing"
}

# Debian's ovn-central, only when one of its tools is missing (apt is never touched on a ready machine).
ensure_ovn_tools() {
  local t missing=()
  for t in "${OVN_TOOLS[@]}"; do [[ -n $(ovn_tool_path "$t") ]] || missing+=("$t"); done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    die "${missing[*]} missing: install Debian's package '$OVN_PACKAGE' (as root: apt-get install -y --no-install-recommends $OVN_PACKAGE); the Kube-OVN tests need it"
  fi
  log "ovn: ${missing[*]} missing; installing Debian package $OVN_PACKAGE with apt-get (--no-install-recommends)"
  # stdout carries only the name=path lines; the lock timeout waits for another apt run.
  if ! { apt-get update -qq -o DPkg::Lock::Timeout=300 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "$OVN_PACKAGE"; } >&2; then
    die "apt-get could not install Debian package '$OVN_PACKAGE'; install it by hand"
  fi
  for t in "${OVN_TOOLS[@]}"; do [[ -n $(ovn_tool_path "$t") ]] || die "Debian package '$OVN_PACKAGE' is installed but $t is not in PATH"; done
  log "ovn: $(ovsdb-server --version | head -1)"
}

# The schema JSON between "var schema = `" and the closing "}`" of a generated model.go.
extract_schema() {
  local model=$1 out=$2 name=$3 tmp got
  tmp=$(mktemp "$out.XXXXXX")
  awk '/^var schema = `\{$/ { on = 1; print "{"; next } on && /^\}`$/ { print "}"; exit } on { print }' "$model" >"$tmp"
  # ovsdb-tool checks that it is a schema and names it: "<name> <version>".
  if ! got=$(ovsdb-tool schema-name "$tmp" 2>&1) || [[ $got != "$name" ]]; then
    rm -f "$tmp"
    die "schema in $model: ovsdb-tool schema-name gave '$got', expected '$name'"
  fi
  mv -f "$tmp" "$out"
  log "kube-ovn: $name schema $(ovsdb-tool schema-version "$out") -> $out"
}

# It logs its version banner (set by -ldflags, as Kube-OVN's Makefile does) before parsing flags, and
# --help exits before any API or OVN access; the build info names the package really compiled in.
verify_kube_ovn() {
  local bin=$1 got
  got=$(timeout 20 "$bin" --help 2>&1 | grep -m1 'Version:' || true)
  echo "[tools]   kube-ovn-controller: ${got#"${got%%[![:space:]]*}"}" >&2
  [[ $got =~ Version:[[:space:]]+$KUBE_OVN_VERSION$ ]] || { echo "kube-ovn.sh: expected 'Version: $KUBE_OVN_VERSION' in its banner" >&2; return 1; }
  got=$(go version -m "$bin" | awk '$1 == "path" { print $2 }')
  echo "[tools]   kube-ovn-controller: build info: path $got" >&2
  [[ $got == "$KUBE_OVN_MODULE/cmd/controller" ]] || { echo "kube-ovn.sh: build info has path '$got'" >&2; return 1; }
}

build_kube_ovn() {
  local t0=$SECONDS mod src tmp commit
  log "kube-ovn: downloading $KUBE_OVN_MODULE@$KUBE_OVN_VERSION"
  mod=$(cd "$CACHE" && GOFLAGS=-modcacherw go mod download -json "$KUBE_OVN_MODULE@$KUBE_OVN_VERSION" |
    awk -F'"' '$2 == "Dir" { print $4 }')
  [[ -d $mod ]] || die "kube-ovn: go mod download gave no module folder"
  commit=$(awk -F'"' '$2 == "Hash" { print $4 }' "$GOMODCACHE/cache/download/$KUBE_OVN_MODULE/@v/$KUBE_OVN_VERSION.info" 2>/dev/null || true)
  mkdir -p "$KUBE_OVN_DATA"

  if [[ ! -s $NB_SCHEMA || ! -s $SB_SCHEMA || ! -s $KUBE_OVN_CRDS ]]; then
    extract_schema "$mod/pkg/ovsdb/ovnnb/model.go" "$NB_SCHEMA" OVN_Northbound
    extract_schema "$mod/pkg/ovsdb/ovnsb/model.go" "$SB_SCHEMA" OVN_Southbound
    cp "$mod/charts/kube-ovn-v2/crds/kube-ovn-crd.yaml" "$KUBE_OVN_CRDS.tmp"
    mv -f "$KUBE_OVN_CRDS.tmp" "$KUBE_OVN_CRDS"
    log "kube-ovn: CRDs ($(grep -c '^kind: CustomResourceDefinition' "$KUBE_OVN_CRDS")) -> $KUBE_OVN_CRDS"
  fi

  [[ -x $KUBE_OVN_BIN ]] && { log "kube-ovn-controller: cached $KUBE_OVN_BIN"; return 0; }
  # A writable copy: the module cache is read-only and its replace directives need it as the main module.
  src=$CACHE/src/kube-ovn-$KUBE_OVN_VERSION
  rm -rf "$src"
  mkdir -p "$CACHE/src"
  cp -r "$mod" "$src"
  chmod -R u+w "$src"
  log "kube-ovn-controller: downloading modules for ./cmd/controller"
  (cd "$src" && go list -deps ./cmd/controller >/dev/null)
  log "kube-ovn-controller: modules ready after $((SECONDS - t0))s; compiling (about 5 min on a busy 2-core machine)"
  # Built into a temporary folder under the final name (argv[0] picks the command), then moved into place.
  mkdir -p "$(dirname "$KUBE_OVN_BIN")"
  tmp=$(mktemp -d "$BIN/.kube-ovn-$KUBE_OVN_VERSION.XXXXXX")
  if ! (cd "$src" && go build -trimpath -o "$tmp/kube-ovn-controller" \
    -ldflags "-s -w -X $KUBE_OVN_MODULE/versions.VERSION=$KUBE_OVN_VERSION -X $KUBE_OVN_MODULE/versions.COMMIT=${commit:-unknown}" \
    ./cmd/controller); then
    rm -rf "$tmp"
    die "kube-ovn-controller: build failed"
  fi
  rm -rf "$src"
  log "kube-ovn-controller: built in $((SECONDS - t0))s; verifying"
  if ! verify_kube_ovn "$tmp/kube-ovn-controller"; then
    rm -rf "$tmp"
    die "kube-ovn-controller: verification failed"
  fi
  chmod 0755 "$tmp/kube-ovn-controller"
  mv -f "$tmp/kube-ovn-controller" "$KUBE_OVN_BIN"
  rmdir "$tmp"
  log "kube-ovn-controller: done in $((SECONDS - t0))s -> $KUBE_OVN_BIN"
}

kube_ovn_ensure() {
  ensure_ovn_tools
  if [[ ! -x $KUBE_OVN_BIN || ! -s $NB_SCHEMA || ! -s $SB_SCHEMA || ! -s $KUBE_OVN_CRDS ]]; then
    mkdir -p "$CACHE"
    # A lock of its own: tools.sh may still hold .tools.lock (inherited fd) while it runs this script.
    exec 8>"$CACHE/.kube-ovn.lock"
    flock 8 # one builder at a time per cache
    if [[ ! -x $KUBE_OVN_BIN || ! -s $NB_SCHEMA || ! -s $SB_SCHEMA || ! -s $KUBE_OVN_CRDS ]]; then
      setup_go
      log "kube-ovn: kube-ovn-controller $KUBE_OVN_VERSION, OVN schemas and CRDs"
      build_kube_ovn
    fi
  fi
  print_kube_ovn_paths
}

case ${1:-} in
  ensure) kube_ovn_ensure ;;
  paths) print_kube_ovn_paths ;;
  *)
    echo "usage: $0 ensure|paths" >&2
    exit 2
    ;;
esac
