#!/usr/bin/env bash
# Installs everything recguard's build, run and tests need on a fresh Debian machine:
# Debian packages with apt-get, the Node validators and browser driver with npm ci.
# Idempotent: packages already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake pkg-config clang libclang-rt-14-dev
      cyclonedds-dev cyclonedds-tools libzstd-dev liblz4-dev libsystemd-dev libjansson-dev
      libfyaml-dev libcmocka-dev libmicrohttpd-dev
      supervisor procps util-linux jq
      chromium prometheus)  # the dashboard's browser test; promtool for /metrics and the alert rules
# Node (tests only): Debian's nodejs+npm unless a Node with npm is already installed
# (a NodeSource nodejs bundles npm and conflicts with Debian's npm package).
command -v npm >/dev/null || PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The dashboard's chart library (uPlot), copied into the build by CMake: fetched here, so
# neither the build nor `make run` needs the network.
if [ -f web/package.json ] && command -v npm >/dev/null; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# Node is used only by the tests (independent MCAP/CDR readers) and the dashboard's browser test.
if [ -f tests/e2e/package.json ] && command -v npm >/dev/null; then
  if [ ! -d tests/e2e/node_modules ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
