#!/usr/bin/env bash
# The suite's test data (upstream CRDs and samples), for a clone with no ../shared beside it: GitHub's
# runners, a new machine. What each file is, where it comes from and its sha256 are in
# testbed/test-data.lock; the tests find the folder through testbed/harness/testData.ts. Called by
# testbed/tools.sh ensure|paths (so `npm test` fills it), and on its own by the workflows' data step:
#
#   testbed/tools.d/test-data.sh ensure   fill what is missing (progress on stderr), then print test-data=<dir>
#   testbed/tools.d/test-data.sh paths    print test-data=<dir>; exit 1 if it is not complete
#   testbed/tools.d/test-data.sh fill     fill the folder even where KVFLEET_TEST_DATA or ../shared is used
#
# Which folder the tests read, first match wins (testbed/harness/testData.ts decides the same way):
#   1. $KVFLEET_TEST_DATA (an absolute path), if set;
#   2. ../shared beside the clone, if it has crds/ (this machine's .ci/run);
#   3. $CACHE/test-data/<sha256(testbed/test-data.lock) first 12 hex>, which `ensure` fills.
# With 1 or 2 chosen, `ensure` and `paths` print that folder and fill nothing.
#
# Sources, each checked against the lock:
#   module-file   a file of a Go module from the module proxy (the module's h1: sum is pinned too, and the
#                 go command checks it against sum.golang.org when it downloads);
#   module-crd    one CustomResourceDefinition cut verbatim from a multi-document file of such a module;
#   kubevirt-crd  one CRD as KubeVirt's own generator (components.New*Crd, what virt-operator installs)
#                 writes it at that version of kubevirt.io/kubevirt (testbed/go/kubevirt-crds/README.md);
#   github        a file of a public repository at a pinned commit, from raw.githubusercontent.com (or
#                 $KVFLEET_TEST_DATA_GITHUB, a base URL laid out the same way: <owner>/<repo>/<commit>/<path>).
#                 Only for what no Go module carries: libvirt capabilities XML (virt-manager's test data).
# A file that cannot be obtained or whose sha256 differs is reported with its source and left out;
# the folder is marked complete (.complete) only when every file is there.
set -euo pipefail

# shellcheck source=../tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools.sh"

LOCK=$ROOT/testbed/test-data.lock
KEY=$(sha256sum "$LOCK" | cut -c1-12)
FILLED=$CACHE/test-data/$KEY
GITHUB_BASE=${KVFLEET_TEST_DATA_GITHUB:-https://raw.githubusercontent.com}

# The folder the tests read (DIR) and why (SOURCE); see the header.
choose() {
  if [[ -n ${KVFLEET_TEST_DATA:-} ]]; then
    DIR=$KVFLEET_TEST_DATA SOURCE=KVFLEET_TEST_DATA
  elif [[ -d $(dirname "$ROOT")/shared/crds ]]; then # the folder beside the clone as its path reads (symlinks kept)
    DIR=$(dirname "$ROOT")/shared SOURCE=../shared
  else
    DIR=$FILLED SOURCE=testbed/test-data.lock
  fi
}

td_paths() {
  choose
  if [[ $DIR == "$FILLED" && ! -f $FILLED/.complete ]]; then
    echo "test-data.sh: missing the test data ($FILLED); run testbed/tools.sh ensure (or set KVFLEET_TEST_DATA)" >&2
    return 1
  fi
  if [[ ! -d $DIR ]]; then
    echo "test-data.sh: $SOURCE names $DIR, which is not a folder" >&2
    return 1
  fi
  echo "test-data=$DIR"
}

# Lines of the lock without comments and blank lines.
lock_lines() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$LOCK"; }

# The pinned h1: sum of <module>@<version>, from the lock's `module` lines.
pinned_sum() { lock_lines | awk -v m="$1" '$1 == "module" && $2 == m { print $3; exit }'; }

declare -A MODULE_DIRS=()
# Downloads <module>@<version> into the module cache of testbed/tools.sh and checks its h1: sum; sets
# MODULE_DIR to its folder. Results are kept per module (set globals, not $(...): a subshell would lose them).
module_dir() {
  local mv=$1 want json got
  MODULE_DIR=${MODULE_DIRS[$mv]:-}
  [[ -n $MODULE_DIR ]] && return 0
  want=$(pinned_sum "$mv")
  [[ -n $want ]] || { echo "testbed/test-data.lock pins no sum for module $mv (add a 'module $mv h1:...' line)" >&2; return 1; }
  json=$(cd / && go mod download -json "$mv" 2>&1) || {
    echo "go mod download $mv failed: $(sed -n 's/^[[:space:]]*"Error": //p' <<<"$json")" >&2
    return 1
  }
  got=$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  if [[ $got != "$want" ]]; then
    echo "module $mv has sum '$got', testbed/test-data.lock pins '$want'" >&2
    return 1
  fi
  MODULE_DIR=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  MODULE_DIRS[$mv]=$MODULE_DIR
}

# Prints the document of CustomResourceDefinition <name> of a multi-document YAML file, verbatim
# (without its `---` separator); exit 1 if there is none. The first `  name:` of a document is metadata.name.
extract_crd() {
  awk -v want="$2" '
    function flush(i) { if (name == want) { for (i = 0; i < n; i++) print lines[i]; found = 1 } n = 0; name = "" }
    /^---[[:space:]]*$/ { flush(); next }
    { if (name == "" && $0 ~ /^  name: /) { name = substr($0, 9) } lines[n++] = $0 }
    END { flush(); exit found ? 0 : 1 }' "$1"
}

# Sets KUBEVIRT_CRDS_FILE to the crds.yaml KubeVirt's own generator writes at <module>@<version>: the
# module's crds.go and validations_generated.go (components.New*Crd, what virt-operator installs) with
# testbed/go/virt-controller/crdgen/main.go, built in a copy through the wrapper module testbed/go/kubevirt-crds
# (see its README.md: the whole module cannot be built from the proxy). The generator is kept in $BIN,
# named by version and the hash of go.sum and crdgen (the copied module files are fixed by the h1: sum).
kubevirt_crds() {
  local mv=$1 wrapper=$ROOT/testbed/go/kubevirt-crds comp=pkg/virt-operator/resource/generate/components pinned gen tmp
  [[ -n ${KUBEVIRT_CRDS_FILE:-} ]] && return 0
  pinned=$(modver "$wrapper/go.mod" kubevirt.io/kubevirt)
  [[ $mv == "kubevirt.io/kubevirt@$pinned" ]] || { echo "testbed/go/kubevirt-crds/go.mod requires kubevirt.io/kubevirt $pinned, not $mv" >&2; return 1; }
  gen=$BIN/kubevirt-crdgen-$pinned-$(cat "$wrapper/go.sum" "$ROOT/testbed/go/virt-controller/crdgen/main.go" | sha256sum | cut -c1-12)
  mkdir -p "$CACHE/src" "$BIN"
  KUBEVIRT_CRDS_SRC=$(mktemp -d "$CACHE/src/.kubevirt-crds.XXXXXX")
  if [[ ! -x $gen ]]; then
    module_dir "$mv" || return 1
    mkdir -p "$KUBEVIRT_CRDS_SRC/kubevirt/pkg/pointer" "$KUBEVIRT_CRDS_SRC/kubevirt/$comp"
    cp "$wrapper/go.mod" "$wrapper/go.sum" "$KUBEVIRT_CRDS_SRC/"
    cp "$ROOT/testbed/go/virt-controller/crdgen/main.go" "$KUBEVIRT_CRDS_SRC/main.go"
    printf 'module kubevirt.io/kubevirt\n\ngo 1.26.0\n' >"$KUBEVIRT_CRDS_SRC/kubevirt/go.mod"
    cp "$MODULE_DIR/pkg/pointer/pointer.go" "$KUBEVIRT_CRDS_SRC/kubevirt/pkg/pointer/"
    cp "$MODULE_DIR/$comp/crds.go" "$MODULE_DIR/$comp/validations_generated.go" "$KUBEVIRT_CRDS_SRC/kubevirt/$comp/"
    chmod -R u+w "$KUBEVIRT_CRDS_SRC"
    log "test data: building KubeVirt's CRD generator at $mv (testbed/go/kubevirt-crds)" 2>&6
    tmp=$(mktemp "$BIN/.kubevirt-crdgen.XXXXXX")
    (cd "$KUBEVIRT_CRDS_SRC" && go build -trimpath -o "$tmp" .) || { rm -f "$tmp"; return 1; }
    chmod 0755 "$tmp"
    mv -f "$tmp" "$gen"
  fi
  "$gen" "$KUBEVIRT_CRDS_SRC/out" || return 1
  KUBEVIRT_CRDS_FILE=$KUBEVIRT_CRDS_SRC/out/crds.yaml
}

# Writes one lock entry to <out>: fetch <how> <args...>. Returns 1 with the reason on stderr.
fetch_entry() {
  local out=$1 how=$2
  shift 2
  case $how in
    module-file)
      module_dir "$1" || return 1
      [[ -f $MODULE_DIR/$2 ]] || { echo "$1 has no file $2" >&2; return 1; }
      cp "$MODULE_DIR/$2" "$out"
      ;;
    module-crd)
      module_dir "$1" || return 1
      extract_crd "$MODULE_DIR/$2" "$3" >"$out" || { echo "$1 $2 has no CustomResourceDefinition $3" >&2; return 1; }
      ;;
    kubevirt-crd)
      kubevirt_crds "$1" || { echo "could not generate the CRDs of $1 (testbed/go/kubevirt-crds)" >&2; return 1; }
      extract_crd "$KUBEVIRT_CRDS_FILE" "$2" >"$out" || { echo "the CRDs of $1 have no $2" >&2; return 1; }
      ;;
    github)
      local url=$GITHUB_BASE/$1/$2/$3
      command -v curl >/dev/null 2>&1 || { echo "curl is not installed (needed for $url)" >&2; return 1; }
      local err
      err=$(curl -fsSL --retry 3 --connect-timeout 20 --max-time 120 -o "$out" "$url" 2>&1) || {
        echo "could not download $url: ${err:-curl failed}" >&2
        return 1
      }
      ;;
    *)
      echo "unknown source kind '$how' in testbed/test-data.lock" >&2
      return 1
      ;;
  esac
}

fill() {
  local dest sha how kind rest got t0=$SECONDS tmp errs reason failed=() ok=0
  [[ -f $FILLED/.complete ]] && return 0
  mkdir -p "$CACHE/test-data"
  exec 7>"$CACHE/.test-data.lock"
  flock 7 # one filler at a time per cache
  [[ -f $FILLED/.complete ]] && return 0
  setup_go
  exec 6>&2 # stderr of this script; each entry's own stderr is collected as the reason it failed
  log "test data: filling $FILLED from testbed/test-data.lock"
  mkdir -p "$FILLED"
  while read -r kind dest sha how rest; do
    [[ $kind == file ]] || continue
    if [[ -f $FILLED/$dest ]] && [[ $(sha256sum "$FILLED/$dest" | cut -d' ' -f1) == "$sha" ]]; then
      ok=$((ok + 1))
      continue
    fi
    mkdir -p "$(dirname "$FILLED/$dest")"
    tmp=$(mktemp "$FILLED/.fetch.XXXXXX")
    errs=$(mktemp "$FILLED/.errors.XXXXXX")
    # shellcheck disable=SC2086 # the lock's source arguments are single words
    if fetch_entry "$tmp" "$how" $rest 2>"$errs"; then
      got=$(sha256sum "$tmp" | cut -d' ' -f1)
      if [[ $got == "$sha" ]]; then
        mv -f "$tmp" "$FILLED/$dest"
        rm -f "$errs"
        ok=$((ok + 1))
        continue
      fi
      echo "sha256 is $got, testbed/test-data.lock pins $sha" >>"$errs"
    fi
    reason=$(tail -n 3 "$errs")
    rm -f "$tmp" "$errs"
    failed+=("$dest (from $how $rest)" "    ${reason//$'\n'/ }")
  done < <(lock_lines)
  [[ -n ${KUBEVIRT_CRDS_SRC:-} ]] && rm -rf "$KUBEVIRT_CRDS_SRC"
  if ((${#failed[@]})); then
    echo "test-data.sh: $ok files ready in $FILLED; $((${#failed[@]} / 2)) could not be obtained:" >&2
    printf '  %s\n' "${failed[@]}" >&2
    echo "  Put each such file there by hand (it must have the sha256 of testbed/test-data.lock), or set" >&2
    echo "  KVFLEET_TEST_DATA to a folder holding all the test data, or put ../shared beside the clone." >&2
    exit 1
  fi
  cp "$LOCK" "$FILLED/.lock"
  touch "$FILLED/.complete"
  log "test data: $ok files ready in $((SECONDS - t0))s -> $FILLED"
}

td_ensure() {
  choose
  if [[ $DIR == "$FILLED" ]]; then
    fill
  else
    log "test data: $DIR (from $SOURCE; testbed/test-data.lock not used)"
  fi
  td_paths
}

case ${1:-} in
  ensure) td_ensure ;;
  paths) td_paths ;;
  fill)
    fill
    echo "test-data=$FILLED"
    ;;
  *)
    echo "usage: $0 ensure|paths|fill" >&2
    exit 2
    ;;
esac
