#!/usr/bin/env bash
# Proves that the libraries compile for aarch64 (Apple silicon Linux VMs, Graviton,
# Raspberry Pi): every source of //base, //process, //ipc and //pool, compiled (not
# linked: Debian's Abseil and gRPC are installed for this machine's architecture only)
# with Debian's cross compiler, g++-aarch64-linux-gnu, under the same warnings as CI.
# Left out, and said here: the gRPC and protobuf parts (pool/remote, ipc's task service),
# whose generated headers come from the Bazel build, and pool/mpi (Open MPI's headers are
# per architecture). Exits 1 naming each file that fails; 2 if the compiler is missing.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

compiler=aarch64-linux-gnu-g++
# CI installs the cross compiler itself (bazelw does not: learners do not need it).
if ! command -v "$compiler" > /dev/null && [[ $(id -u) -eq 0 ]]; then
  apt-get install -y -q --no-install-recommends g++-aarch64-linux-gnu > /dev/null 2>&1 ||
    { apt-get update -q > /dev/null 2>&1 &&
      apt-get install -y -q --no-install-recommends g++-aarch64-linux-gnu > /dev/null 2>&1; }
fi
if ! command -v "$compiler" > /dev/null; then
  echo "cross_compile_aarch64: $compiler is missing: install Debian's g++-aarch64-linux-gnu" >&2
  exit 2
fi

# Only Abseil's headers (architecture-independent) and Bazel's runfiles library from
# /usr/include's neighbours: the cross compiler must keep its own C and C++ headers.
headers=$(mktemp -d)
trap 'rm -rf "$headers"' EXIT
ln -s /usr/include/absl "$headers/absl"
bazel_tools="$(./bazelw info output_base 2>/dev/null)/external/bazel_tools"
[[ -d $bazel_tools/tools/cpp/runfiles ]] && ln -s "$bazel_tools/tools" "$headers/tools"

mapfile -t sources < <(git ls-files 'base/*.cc' 'process/*.cc' 'ipc/*.cc' 'pool/*.cc' |
  grep -vE '_test\.cc$|_test_program\.cc$|/testing/|^pool/(remote|mpi)/|task_service')
compile_one() {
  "$compiler" -std=c++20 -c -o /dev/null -I. -isystem "$headers" -Wall -Wextra -Werror "$1" ||
    { echo "cross_compile_aarch64: FAIL $1"; return 1; }
}
export -f compile_one
export compiler headers
results=$(printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -I{} bash -c 'compile_one {}')
grep 'FAIL' <<<"$results"
failed=$(grep -c 'FAIL' <<<"$results")
echo "cross_compile_aarch64: ${#sources[@]} sources, $failed failed"
[[ $failed -eq 0 ]]
