#!/usr/bin/env bash
# Runs //benchmarks:pool_benchmark and Python's multiprocessing.Pool on the same jobs, by
# turns, and prints one table with their ratios (see pool_benchmark.py).
#
#   bazel run -c opt //benchmarks:pool_side_by_side [-- --repetitions 5 --min-seconds 0.2]
set -euo pipefail
cpp_benchmark="$1"
python_benchmark="$2"
shift 2
if ! command -v python3 > /dev/null; then
  echo "pool_side_by_side needs python3 (sudo apt-get install python3)" >&2
  exit 2
fi
exec python3 "$python_benchmark" --cpp "$cpp_benchmark" "$@"
