#!/usr/bin/env bash
# Smoke test for //benchmarks:scaling_report: a tiny run at 1 and 2 workers must print
# every section, write JSON that parses and an SVG, draw a timeline per workload, and bad
# flags must exit 2.
set -euo pipefail
report_binary="$1"
out="${TEST_TMPDIR:-/tmp}"

fail() { echo "FAIL: $*" >&2; exit 1; }

"$report_binary" --quick --work_scale=0.005 --max_workers=2 --repetitions=1 \
  --json="$out/report.json" --svg="$out/report.svg" --timelines="$out/timelines" \
  > "$out/report.md" 2> "$out/progress.txt" \
  || fail "the report exited $?: $(cat "$out/progress.txt")"

for section in "## cpu" "## memory" "## blocking" "## serial" "## trivial" "## Headlines"; do
  grep -q "^$section" "$out/report.md" || fail "no '$section' section in: $(cat "$out/report.md")"
done
grep -q "^| Pool (processes) | 2 |" "$out/report.md" || fail "no 2-worker Pool row"
grep -q "^| threads + global lock | 2 |" "$out/report.md" || fail "no global-lock row"
grep -q "WRONG ANSWER" "$out/report.md" && fail "engines disagree: $(grep WRONG "$out/report.md")"
grep -q "\[.*/.*\] " "$out/progress.txt" || fail "no progress line on stderr"
head -c 5 "$out/report.svg" | grep -q "<svg" || fail "the SVG does not start with <svg"
for workload in cpu memory blocking serial trivial; do
  grep -q 'class="chunk"' "$out/timelines/$workload.svg" 2>/dev/null || fail "no timeline with chunks for $workload"
done
grep -q "Timelines of one more job per workload" "$out/report.md" || fail "the report does not name its timelines"
tail -n 1 "$out/report.svg" | grep -q "</svg>" || fail "the SVG is not closed"
if command -v python3 > /dev/null; then
  python3 -c "import json, sys; r = json.load(open(sys.argv[1])); assert r['series']" \
    "$out/report.json" || fail "the JSON does not parse"
  grep -q "^| Python multiprocessing.Pool | 2 |" "$out/report.md" || fail "no Python row"
fi

for bad in --max_workers=-1 --workloads=gpu --engines=fibers --repetitions=0 \
  --worker_counts=2,1 --serial_fraction=1.5 --work_scale=-1 stray; do
  status=0
  "$report_binary" "$bad" > /dev/null 2>&1 || status=$?
  [[ "$status" -eq 2 ]] || fail "$bad exited $status, not 2"
done
echo "PASS"
