#!/usr/bin/env bash
# Runs every lesson's Python twin with python3 and checks the line that shows the
# lesson's point, so that the Python the lessons print side by side really runs and
# behaves as they say. Skips (passing, with a message) when python3 is absent.
set -uo pipefail
if ! command -v python3 >/dev/null; then
  echo "SKIPPED: python3 is not installed; the Python twins were not run"
  exit 0
fi
failures=0
# expect <script> <extended regular expression its output must match> [args...]
expect() {
  local script="$1" pattern="$2"
  shift 2
  local output
  if ! output=$(timeout 120 python3 "$script" "$@" 2>&1); then
    echo "FAIL: $script exited non-zero:"; echo "$output"; failures=$((failures + 1)); return
  fi
  if ! grep -Eq "$pattern" <<<"$output"; then
    echo "FAIL: $script printed no line matching /$pattern/:"; echo "$output"
    failures=$((failures + 1)); return
  fi
  echo "ok: $script"
}
dir=concepts
expect $dir/01_why_multiprocessing/why_multiprocessing.py "still here"
expect $dir/02_processes_vs_threads/processes_vs_threads.py "the parent sees counter = 0"
expect $dir/03_create_a_process/create_a_process.py "exitcode = 3"
expect $dir/03b_fork_exec_wait/fork_exec_wait.py "_exit\\(300\\) -> 44"
expect $dir/04_what_is_a_pool/what_is_a_pool.py "a new process per task: 200 distinct pids"
expect $dir/05_create_a_pool/create_a_pool.py "Map: \[1001, 1004, 1009"
expect $dir/06_print_numbers/print_numbers.py "^All processes have completed\.$" 4
expect $dir/07_start_methods/start_methods.py "^\| fork \| True \| True \| False \|"
expect $dir/08_ipc/ipc.py "acquire\(timeout=1\) -> False"
expect $dir/09_fault_tolerance/fault_tolerance.py "map still waiting"
expect $dir/09b_signals/signals.py "BrokenPipeError"
expect $dir/10_going_distributed/going_distributed.py "host killed -> [A-Za-z]+Error"
echo "$failures failed"
[[ $failures -eq 0 ]]
