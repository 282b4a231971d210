#!/usr/bin/env bash
# Makes sure Chromium is installed for the browser test (test/browser):
# a no-op when it is there; otherwise, as root with apt-get, it installs
# Debian's chromium package; otherwise it says what to run.
#
#   scripts/ensure-chromium.sh          exit 1 when Chromium is still missing
#   scripts/ensure-chromium.sh --soft   exit 0 anyway (npm's pretest): the
#                                       browser test then fails and says why
#
# MPROV_CHROMIUM names another Chromium or Chrome binary to test with.
set -euo pipefail

soft=false
[ "${1:-}" = "--soft" ] && soft=true

chromium="${MPROV_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0

missing() {
  echo "ensure-chromium: $chromium is missing; the browser test needs it." >&2
  echo "  Install it as root: scripts/ensure-chromium.sh" >&2
  echo "  (apt-get install chromium), or set MPROV_CHROMIUM to a binary." >&2
  if $soft; then exit 0; fi
  exit 1
}

if [ -n "${MPROV_CHROMIUM:-}" ] || [ "$(id -u)" -ne 0 ] ||
  ! command -v apt-get >/dev/null 2>&1; then
  missing
fi

echo "ensure-chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
# Another install may hold dpkg's lock for a while: wait for it.
if apt-get -o DPkg::Lock::Timeout=300 update -qq &&
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
    --no-install-recommends chromium >/dev/null; then
  [ -x "$chromium" ] && exit 0
fi
missing
