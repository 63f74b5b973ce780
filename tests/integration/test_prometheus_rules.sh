#!/usr/bin/env bash
# packaging/prometheus/: the alerting rules load (`promtool check rules`) and fire exactly when
# they should (`promtool test rules`, Prometheus's own rule engine on synthetic series).
set -euo pipefail
: "${RG_SOURCE_DIR:?run through ctest}"
command -v promtool >/dev/null || { echo "SKIP: promtool missing (make deps: Debian's prometheus)"; exit 77; }
cd "$RG_SOURCE_DIR/packaging/prometheus"
promtool check rules recguard.rules.yml
promtool test rules recguard.rules.test.yml
# Every alert of the rules file has at least one test that expects it to fire.
for a in $(sed -n 's/^ *- alert: *//p' recguard.rules.yml); do
  grep -q "alertname: $a\$" recguard.rules.test.yml || { echo "FAIL: alert $a has no test"; exit 1; }
done
echo PASS
