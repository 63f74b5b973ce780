#!/usr/bin/env bash
# The README's run command, after deps and build: placeholder until the daemon lands.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "recguard: the daemon is not built yet" >&2
exit 1
