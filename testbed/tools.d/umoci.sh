#!/usr/bin/env bash
# umoci, the OCI image tool `npm run images` (scripts/images/) builds the programs' images with, and the
# image tests (*.images.test.ts) run.
#
#   testbed/tools.d/umoci.sh ensure   install it if missing (progress on stderr), then print umoci=/abs/path
#   testbed/tools.d/umoci.sh paths    print umoci=/abs/path only; exit 1 if it is missing
#
# Debian's package (0.4.7 on Debian 12), installed with apt-get when run as root; anyone else is told how.
# generators/imageDigests.generated.json records the umoci version the committed digests were built with:
# another version may gzip layers differently and so give other digests.
set -euo pipefail
# shellcheck source=../tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools.sh"

UMOCI_PACKAGE=umoci

umoci_path() { command -v umoci 2>/dev/null || true; }

print_umoci_path() {
  local path
  path=$(umoci_path)
  if [[ -n $path ]]; then
    echo "umoci=$path"
  else
    echo "umoci.sh: missing umoci (Debian package $UMOCI_PACKAGE); run testbed/tools.sh ensure as root" >&2
    return 1
  fi
}

# Only when umoci is missing: apt is never touched on a ready machine.
umoci_ensure() {
  if [[ -z $(umoci_path) ]]; then
    apt_install umoci 'npm run images and the image tests need it' "$UMOCI_PACKAGE"
    log "umoci: $(umoci --version) -> $(umoci_path)"
  fi
  print_umoci_path
}

case ${1:-} in
  ensure) umoci_ensure ;;
  paths) print_umoci_path ;;
  *)
    echo "usage: $0 ensure|paths" >&2
    exit 2
    ;;
esac
