// Reference solution for exercise X2: N processes add to one counter, losing nothing.

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "base/cli/parse_flags.h"
#include "ipc/shared_value.h"
#include "process/hand_off.h"
#include "process/process.h"

ABSL_FLAG(int, processes, 4, "processes adding to the counter (1 to 64)");
ABSL_FLAG(int, increments, 100000, "how many times each adds 1 (1 to 10000000)");

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "N processes add to one shared counter.");
  const int processes = absl::GetFlag(FLAGS_processes);
  const int increments = absl::GetFlag(FLAGS_increments);
  if (processes < 1 || processes > 64) mp::cli::ExitBadUsage("--processes must be 1 to 64");
  if (increments < 1 || increments > 10000000) {
    mp::cli::ExitBadUsage("--increments must be 1 to 10000000");
  }

  // A global would not do: fork() gives each child its own copy of the parent's memory,
  // and the parent's copy would stay 0. A SharedValue lives in shared memory (mapped
  // before the children start, so all of them map the same pages) with a lock beside it.
  absl::StatusOr<mp::SharedValue<int64_t>> counter = mp::SharedValue<int64_t>::Create(0);
  if (!counter.ok()) {
    std::fprintf(stderr, "cannot create the counter: %s\n", counter.status().ToString().c_str());
    return 1;
  }

  std::vector<mp::Process> children;
  for (int i = 0; i < processes; ++i) {
    children.emplace_back([&counter, increments] {
      for (int n = 0; n < increments; ++n) {
        // ++n on shared memory is three steps (load, add, store): two processes can load
        // the same value and both store value + 1, and one update is lost. Update() runs
        // the whole step holding the counter's lock. (Locking once per batch of additions
        // would be faster; this exercise is about correctness.)
        if (!counter->Update([](int64_t& value) { ++value; }).ok()) return 1;
      }
      return 0;
    });
  }
  for (mp::Process& child : children) {
    if (absl::Status started = child.Start(); !started.ok()) {
      std::fprintf(stderr, "cannot start a process: %s\n", started.ToString().c_str());
      return 1;
    }
  }
  for (mp::Process& child : children) {
    if (!child.Join().ok() || child.exit_code() != 0) {
      std::fprintf(stderr, "a process failed\n");
      return 1;
    }
  }
  absl::StatusOr<int64_t> total = counter->Load();
  if (!total.ok()) {
    std::fprintf(stderr, "cannot read the counter: %s\n", total.status().ToString().c_str());
    return 1;
  }
  std::printf("final count: %" PRId64 "\nexpected: %" PRId64 "\n", *total,
              static_cast<int64_t>(processes) * increments);
  return 0;
}
