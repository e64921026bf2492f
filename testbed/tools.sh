#!/usr/bin/env bash
# Builds and caches the test tools (Kyverno CLI, kube-apiserver, kube-scheduler, etcd, Kyverno admission
# controller, promtool, actionlint) from the Go module proxy, using the wrapper modules in testbed/go/kyverno,
# testbed/go/kube, testbed/go/kyverno-admission, testbed/go/prometheus and testbed/go/actionlint (see testbed/go/README.md), and
# makes sure Debian's Chromium (/usr/bin/chromium, for the browser tests) is installed.
#
#   testbed/tools.sh ensure   build or install whatever is missing (progress on stderr), then print name=/abs/path lines
#   testbed/tools.sh paths    print the name=/abs/path lines only; exit 1 if something is missing (no build)
#
# Everything is cached outside the repository in ${KVFLEET_CACHE:-$HOME/.cache/kvfleet}:
#   bin/<tool>-<version>-<sha256(go.sum) first 12 hex>   binaries (a go.sum change means a rebuild)
#   go/mod, go/build                                    GOMODCACHE and GOCACHE used for the builds
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${KVFLEET_CACHE:-$HOME/.cache/kvfleet}
BIN=$CACHE/bin
KYVERNO_MOD=$ROOT/testbed/go/kyverno
KUBE_MOD=$ROOT/testbed/go/kube
KYVERNO_ADMISSION_MOD=$ROOT/testbed/go/kyverno-admission
PROMETHEUS_MOD=$ROOT/testbed/go/prometheus
ACTIONLINT_MOD=$ROOT/testbed/go/actionlint
TOOLS=(kyverno kube-apiserver kube-scheduler etcd kyverno-admission promtool actionlint)
# Debian's package, not a Go build: the browser tests are written against it (and Playwright's own
# browser download fails on these machines). Root with apt-get installs it; anyone else is told how.
CHROMIUM=/usr/bin/chromium
CHROMIUM_PACKAGE=chromium

die() { echo "tools.sh: $*" >&2; exit 1; }
log() { echo "[tools +${SECONDS}s] $*" >&2; }

# Version of a required module, read from a go.mod (single-line or block require).
modver() {
  awk -v m="$2" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m && $2 ~ /^v[0-9]/) { print $2; exit }' "$1"
}
sumhash() { sha256sum "$1/go.sum" | cut -c1-12; }

KYVERNO_VERSION=$(modver "$KYVERNO_MOD/go.mod" github.com/kyverno/kyverno)
KUBE_VERSION=$(modver "$KUBE_MOD/go.mod" k8s.io/kubernetes)
ETCD_VERSION=$(modver "$KUBE_MOD/go.mod" go.etcd.io/etcd/server/v3)
KYVERNO_ADMISSION_VERSION=$(modver "$KYVERNO_ADMISSION_MOD/go.mod" github.com/kyverno/kyverno)
# Prometheus 3.x publishes its Go module as v0.3XY.Z for release 3.XY.Z (v0.314.0 = Prometheus 3.14.0).
PROMETHEUS_MODULE_VERSION=$(modver "$PROMETHEUS_MOD/go.mod" github.com/prometheus/prometheus)
ACTIONLINT_VERSION=$(modver "$ACTIONLINT_MOD/go.mod" github.com/rhysd/actionlint)
[[ -n $KYVERNO_VERSION && -n $KUBE_VERSION && -n $ETCD_VERSION && -n $KYVERNO_ADMISSION_VERSION && -n $ACTIONLINT_VERSION &&
  $PROMETHEUS_MODULE_VERSION =~ ^v0\.([1-9])([0-9][0-9])\.([0-9]+)$ ]] ||
  die "cannot read tool versions from tools/*/go.mod"
PROMTOOL_VERSION=${BASH_REMATCH[1]}.$((10#${BASH_REMATCH[2]})).${BASH_REMATCH[3]}
KYVERNO_HASH=$(sumhash "$KYVERNO_MOD")
KUBE_HASH=$(sumhash "$KUBE_MOD")
KYVERNO_ADMISSION_HASH=$(sumhash "$KYVERNO_ADMISSION_MOD")
PROMETHEUS_HASH=$(sumhash "$PROMETHEUS_MOD")
ACTIONLINT_HASH=$(sumhash "$ACTIONLINT_MOD")

bin_path() {
  case $1 in
    kyverno) echo "$BIN/kyverno-$KYVERNO_VERSION-$KYVERNO_HASH" ;;
    kube-apiserver | kube-scheduler) echo "$BIN/$1-$KUBE_VERSION-$KUBE_HASH" ;;
    etcd) echo "$BIN/etcd-$ETCD_VERSION-$KUBE_HASH" ;;
    kyverno-admission) echo "$BIN/kyverno-admission-$KYVERNO_ADMISSION_VERSION-$KYVERNO_ADMISSION_HASH" ;;
    promtool) echo "$BIN/promtool-v$PROMTOOL_VERSION-$PROMETHEUS_HASH" ;;
    actionlint) echo "$BIN/actionlint-$ACTIONLINT_VERSION-$ACTIONLINT_HASH" ;;
    *) die "unknown tool $1" ;;
  esac
}

print_paths() {
  local t p missing=0
  for t in "${TOOLS[@]}"; do
    p=$(bin_path "$t")
    if [[ -x $p ]]; then
      echo "$t=$p"
    else
      echo "tools.sh: missing $t ($p); run testbed/tools.sh ensure" >&2
      missing=1
    fi
  done
  if [[ -x $CHROMIUM ]]; then
    echo "chromium=$CHROMIUM"
  else
    echo "tools.sh: missing chromium ($CHROMIUM, Debian package $CHROMIUM_PACKAGE); run testbed/tools.sh ensure as root" >&2
    missing=1
  fi
  return "$missing"
}

# Installs Debian packages for a missing tool: `apt_install [--with-recommends] <tool> <why> <package>…`
# (without recommends unless asked: Chromium wants its fonts). Only called when the
# tool is missing, so apt is never touched on a ready machine; as anyone but root (or without apt-get)
# it stops and says what to install. apt's output goes to stderr: stdout carries only the name=path
# lines. The lock timeout waits for another apt run (a second `ensure`, unattended upgrades).
apt_install() {
  local recommends=--no-install-recommends
  if [[ $1 == --with-recommends ]]; then
    recommends=--install-recommends
    shift
  fi
  local tool=$1 why=$2
  shift 2
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    die "$tool is missing: install Debian's package(s) (as root: apt-get install -y $recommends $*); $why"
  fi
  log "$tool: missing; installing Debian package(s) $* with apt-get"
  if ! { apt-get update -qq -o DPkg::Lock::Timeout=300 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$recommends" -o DPkg::Lock::Timeout=300 "$@"; } >&2; then
    die "apt-get could not install Debian package(s) '$*' for $tool; install them by hand"
  fi
}

# Installs Debian's chromium when /usr/bin/chromium is absent.
ensure_chromium() {
  [[ -x $CHROMIUM ]] && return 0
  apt_install --with-recommends "$CHROMIUM" 'the browser tests need it' "$CHROMIUM_PACKAGE"
  [[ -x $CHROMIUM ]] || die "Debian package '$CHROMIUM_PACKAGE' is installed but $CHROMIUM is not there"
  log "chromium: $("$CHROMIUM" --version 2>/dev/null || echo 'installed') -> $CHROMIUM"
}

setup_go() {
  if ! command -v go >/dev/null 2>&1; then
    [[ -x /usr/local/go/bin/go ]] || die "go not found in PATH or /usr/local/go/bin"
    PATH=/usr/local/go/bin:$PATH
  fi
  export GOMODCACHE=$CACHE/go/mod GOCACHE=$CACHE/go/build
  # -modcacherw: the module cache stays deletable with plain rm -rf (CI cache pruning).
  export GOFLAGS="-mod=readonly -modcacherw" GOTOOLCHAIN=local CGO_ENABLED=0
  mkdir -p "$BIN" "$GOMODCACHE" "$GOCACHE"
  log "$(go version); cache $CACHE"
}

# build <module dir> <tool> <package> <ldflags>: download, compile, verify, then move into place.
build() {
  local dir=$1 tool=$2 pkg=$3 ldflags=$4 out t0 tmp
  out=$(bin_path "$tool")
  if [[ -x $out ]]; then
    log "$tool: cached $out"
    return 0
  fi
  t0=$SECONDS
  log "$tool: downloading modules for $pkg"
  (cd "$dir" && go list -deps "$pkg" >/dev/null)
  log "$tool: modules ready after $((SECONDS - t0))s; compiling"
  tmp=$(mktemp "$BIN/.$tool.XXXXXX")
  if ! (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$tmp" "$pkg"); then
    rm -f "$tmp"
    die "$tool: build failed"
  fi
  log "$tool: built in $((SECONDS - t0))s; verifying"
  if ! verify "$tool" "$tmp"; then
    rm -f "$tmp"
    die "$tool: verification failed"
  fi
  chmod 0755 "$tmp"
  mv -f "$tmp" "$out"
  log "$tool: done in $((SECONDS - t0))s -> $out"
}

verify() {
  local tool=$1 bin=$2 got want
  case $tool in
    kyverno) got=$("$bin" version 2>&1) want="Version: $KYVERNO_VERSION" ;;
    kube-apiserver | kube-scheduler) got=$("$bin" --version 2>&1) want="Kubernetes $KUBE_VERSION" ;;
    etcd) got=$("$bin" --version 2>&1) want="etcd Version: ${ETCD_VERSION#v}" ;;
    # The admission controller has no version flag: at -v=2 it logs its version first, then exits 1 on
    # the missing KYVERNO_NAMESPACE environment (before any API access). Its exit status is ignored.
    kyverno-admission)
      got=$(env -u KYVERNO_NAMESPACE timeout 20 "$bin" -v=2 --loggingFormat=text --disableLogColor 2>&1 | grep -m1 'logger=setup/version' || true)
      want=" version=$KYVERNO_ADMISSION_VERSION"
      ;;
    # The version printed comes from -ldflags (as Prometheus's promu sets it); the build info check
    # below ties it to the module really compiled in.
    promtool) got=$("$bin" --version 2>&1) want="promtool, version $PROMTOOL_VERSION " ;;
    # Its first line is the version -ldflags set (as actionlint's release builds do); the build info
    # check below ties it to the module compiled in.
    actionlint) got=$("$bin" -version 2>&1) want="${ACTIONLINT_VERSION#v}" ;;
  esac
  echo "$got" | sed "s/^/[tools]   $tool: /" >&2
  grep -qF "$want" <<<"$got" || { echo "tools.sh: $tool: expected '$want' in the version output" >&2; return 1; }
  if [[ $tool == kyverno-admission ]]; then
    # The version above comes from -ldflags; the build info names the module really compiled in.
    got=$(go version -m "$bin" | awk '($1 == "mod" || $1 == "dep") && $2 == "github.com/kyverno/kyverno" { print $3 }')
    echo "[tools]   $tool: build info: github.com/kyverno/kyverno $got" >&2
    [[ $got == "$KYVERNO_ADMISSION_VERSION" ]] || { echo "tools.sh: $tool: build info has kyverno '$got'" >&2; return 1; }
  fi
  if [[ $tool == promtool ]]; then
    got=$(go version -m "$bin" | awk '($1 == "mod" || $1 == "dep") && $2 == "github.com/prometheus/prometheus" { print $3 }')
    echo "[tools]   $tool: build info: github.com/prometheus/prometheus $got" >&2
    [[ $got == "$PROMETHEUS_MODULE_VERSION" ]] || { echo "tools.sh: $tool: build info has prometheus '$got'" >&2; return 1; }
  fi
  if [[ $tool == actionlint ]]; then
    got=$(go version -m "$bin" | awk '($1 == "mod" || $1 == "dep") && $2 == "github.com/rhysd/actionlint" { print $3 }')
    echo "[tools]   $tool: build info: github.com/rhysd/actionlint $got" >&2
    [[ $got == "$ACTIONLINT_VERSION" ]] || { echo "tools.sh: $tool: build info has actionlint '$got'" >&2; return 1; }
  fi
}

ensure() {
  local t missing=0
  for t in "${TOOLS[@]}"; do [[ -x $(bin_path "$t") ]] || missing=1; done
  if ((missing)); then
    mkdir -p "$CACHE"
    exec 9>"$CACHE/.tools.lock"
    flock 9 # one builder at a time per cache
    setup_go

    log "step 1/5: kyverno $KYVERNO_VERSION (testbed/go/kyverno)"
    build "$KYVERNO_MOD" kyverno github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno \
      "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$KYVERNO_VERSION"

    log "step 2/5: kubernetes $KUBE_VERSION, etcd $ETCD_VERSION (testbed/go/kube)"
    local minor=${KUBE_VERSION#v1.}
    minor=${minor%%.*}
    local kv ldf="-s -w"
    for kv in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldf+=" -X $kv.gitVersion=$KUBE_VERSION -X $kv.gitMajor=1 -X $kv.gitMinor=$minor -X $kv.gitTreeState=clean"
    done
    build "$KUBE_MOD" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$ldf"
    build "$KUBE_MOD" kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler "$ldf"
    build "$KUBE_MOD" etcd go.etcd.io/etcd/server/v3 "-s -w"

    log "step 3/5: kyverno admission controller $KYVERNO_ADMISSION_VERSION (testbed/go/kyverno-admission)"
    build "$KYVERNO_ADMISSION_MOD" kyverno-admission github.com/kyverno/kyverno/cmd/kyverno \
      "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$KYVERNO_ADMISSION_VERSION"

    log "step 4/5: promtool $PROMTOOL_VERSION (testbed/go/prometheus, github.com/prometheus/prometheus $PROMETHEUS_MODULE_VERSION)"
    build "$PROMETHEUS_MOD" promtool github.com/prometheus/prometheus/cmd/promtool \
      "-s -w -X github.com/prometheus/common/version.Version=$PROMTOOL_VERSION -X github.com/prometheus/common/version.Branch=HEAD"

    log "step 5/5: actionlint $ACTIONLINT_VERSION (testbed/go/actionlint)"
    build "$ACTIONLINT_MOD" actionlint github.com/rhysd/actionlint/cmd/actionlint \
      "-s -w -X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION#v}"
    log "all tools ready"
  fi
  ensure_chromium
  print_paths
}

# Tools with a build recipe of their own (a module that cannot be built through a wrapper module)
# live in testbed/tools.d/<name>.sh: each sources this file for its helpers and answers
# `ensure` (build if missing, then print its name=path lines) and `paths` like this script.
extra_tools() {
  local f rc=0
  for f in "$ROOT"/testbed/tools.d/*.sh; do
    [[ -e $f ]] || continue
    bash "$f" "$1" || rc=1
  done
  return "$rc"
}

# Sourced by testbed/tools.d/*.sh for log, die, setup_go, CACHE and BIN: dispatch only when run.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case ${1:-} in
    ensure)
      ensure
      extra_tools ensure || die "a tool of testbed/tools.d failed to build"
      ;;
    paths)
      rc=0
      print_paths || rc=1
      extra_tools paths || rc=1
      exit "$rc"
      ;;
    *)
      echo "usage: $0 ensure|paths" >&2
      exit 2
      ;;
  esac
fi
