#!/usr/bin/env bash
# Builds bench/bench_mcap.c against the release build's libraries and prints the "MCAP
# encoder" table of docs/BENCHMARKS.md.
#   bench/bench_mcap.sh [BUILD_DIR] [OUT_DIR] [PAYLOAD_MIB] [REPEATS]
# BUILD_DIR defaults to build/ (make build first); OUT_DIR (where the test files go, i.e. the
# filesystem measured) defaults to bench/out.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-bench/out}
mib=${3:-256}
reps=${4:-3}
for lib in "$build/src/mcap/librg_mcap.a" "$build/src/common/librg_common.a"; do
  [ -f "$lib" ] || { echo "bench_mcap: $lib missing: build first (make build)" >&2; exit 1; }
done
mkdir -p "$out"
bin="$out/bench_mcap"
cc -O2 -std=gnu11 -Wall -Wextra -Werror -Isrc bench/bench_mcap.c \
  "$build/src/mcap/librg_mcap.a" "$build/src/common/librg_common.a" -lzstd -llz4 -ljansson -lpthread \
  -o "$bin"
echo "<!-- $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r), out dir $(df -P "$out" | awk 'NR==2{print $1}') -->"
"$bin" "$out" "$mib" "$reps"
