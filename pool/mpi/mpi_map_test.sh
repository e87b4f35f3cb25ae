#!/usr/bin/env bash
# Runs mpi_map under mpirun with 2 ranks, and with 4 (oversubscribed: more ranks than
# this 2-CPU machine has cores), and checks that rank 0 found every result right and
# that every rank took its share.
set -uo pipefail
program="$1"
if ! command -v mpirun > /dev/null; then
  echo "FAIL: mpirun is missing: install Debian's openmpi-bin (./bazelw does)"
  exit 1
fi
# Open MPI refuses root unless told; tests here may run as root. Its shared-memory
# transport's single-copy mode needs ptrace rights that sandboxes often withhold.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1
# Under --config=asan: Open MPI's own libraries keep thousands of allocations until exit
# (freed by no one, from components it has unloaded by then), which LeakSanitizer would
# report on every rank. Address errors are still caught; leaks are not looked for here.
if [[ -n "${ASAN_OPTIONS:-}" ]]; then export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"; fi

failures=0
for ranks in 2 4; do
  output=$(timeout 120 mpirun -np "$ranks" "$program" --tasks=100000 2>&1)
  status=$?
  echo "--- mpirun -np $ranks (exit $status)"
  echo "$output"
  if [[ $status -ne 0 ]] || ! grep -q "^$ranks ranks mapped Square over 100000 numbers.*every result matches" <<< "$output" ||
     [[ $(grep -c "^rank [0-9]* mapped $((100000 / ranks))$" <<< "$output") -ne $ranks ]]; then
    echo "FAIL: mpirun -np $ranks"
    failures=$((failures + 1))
  fi
done
# Bad usage exits 2 (every rank sees it; mpirun passes the code on).
timeout 60 mpirun -np 2 "$program" --tasks=-5 > /dev/null 2>&1
if [[ $? -ne 2 ]]; then echo "FAIL: --tasks=-5 should exit 2"; failures=$((failures + 1)); fi
echo "$failures failed"
[[ $failures -eq 0 ]]
