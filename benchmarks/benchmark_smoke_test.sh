#!/usr/bin/env bash
# Smoke test for a Google Benchmark binary: runs every benchmark in it for a minimal time
# and passes when it exits 0 and its JSON report holds a result for each, none an error.
set -euo pipefail
binary="$1"
report="${TEST_TMPDIR:-/tmp}/report.json"
"$binary" --benchmark_min_time=0.001 --benchmark_format=json --benchmark_out="$report" \
  --benchmark_out_format=json > /dev/null
listed=$("$binary" --benchmark_list_tests | wc -l)
reported=$(grep -c '"run_type": "iteration"' "$report" || true)
if grep -q '"error_occurred": true' "$report"; then
  echo "FAIL: a benchmark reported an error:" >&2
  grep -A1 '"error_message"' "$report" >&2
  exit 1
fi
if [[ "$listed" -eq 0 || "$reported" -ne "$listed" ]]; then
  echo "FAIL: $listed benchmarks listed but $reported reported" >&2
  exit 1
fi
echo "PASS: $reported benchmarks ran"
