#!/usr/bin/env bash
# Smoke test for pool_side_by_side: two short jobs on both sides, on a busy machine (one
# busy loop per CPU, started by the script). Passes when the table has both rows and
# says the loops ran, and when no loop is left behind afterwards.
set -euo pipefail
cpp_benchmark="$1"
python_benchmark="$2"
out=$(python3 "$python_benchmark" --cpp "$cpp_benchmark" --repetitions 1 --min-seconds 0.01 \
  --jobs 256:20000,apply --busy-loops-per-cpu 1)
echo "$out"
for expected in "busy loops running" "chunksize=256 tasks=20000" "apply_async round trip"; do
  if ! grep -q "$expected" <<< "$out"; then
    echo "FAIL: the table has no \"$expected\"" >&2
    exit 1
  fi
done
if pgrep -f "while os.getppid\(\) == parent" > /dev/null; then
  echo "FAIL: a busy loop outlived the benchmark" >&2
  exit 1
fi
if python3 "$python_benchmark" --busy-loops-per-cpu 9 2> /dev/null; then
  echo "FAIL: --busy-loops-per-cpu 9 was accepted" >&2
  exit 1
fi
echo "PASS"
