#!/usr/bin/env bash
# Smoke test for a Google Benchmark binary: runs every benchmark in it for a minimal time
# and passes when it exits 0 and its JSON report holds a result for each, none an error,
# and when asked for JSON on stdout (--benchmark_format=json) it prints JSON alone.
set -euo pipefail
binary="$1"
report="${TEST_TMPDIR:-/tmp}/report.json"
stdout="${TEST_TMPDIR:-/tmp}/stdout.json"
"$binary" --benchmark_min_time=0.001 --benchmark_format=json --benchmark_out="$report" \
  --benchmark_out_format=json > "$stdout"
if ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$stdout"; then
  echo "FAIL: --benchmark_format=json did not print JSON alone on stdout:" >&2
  head -5 "$stdout" >&2
  exit 1
fi
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
