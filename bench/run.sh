#!/usr/bin/env bash
# `make bench`: every benchmark in one go, after `make build`. Each script prints a Markdown table
# that docs/BENCHMARKS.md quotes, with the same command. Short by default (the machine is shared);
# SUPERVISE_SECONDS=600 reproduces the issue's 10-minute supervision figure.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
echo "## MCAP encoder"; bench/bench_mcap.sh build bench/out 256 3
echo "## Guardian";     bench/bench_supervise.sh "${SUPERVISE_SECONDS:-60}" "${KILLS:-20}"
echo "## Recorder";     bench/bench_record.sh
echo "## Camera";       bench/bench_camera.sh
echo "## Dashboard";    bench/bench_web.sh "${WEB_SECONDS:-30}"
echo "## Rate monitor";   bench/bench_hz.sh
