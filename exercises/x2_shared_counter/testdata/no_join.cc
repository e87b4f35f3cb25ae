// A wrong answer to exercise X2 (the grader must fail it): the children share a locked
// counter, but the parent reads it without waiting for them, and never reaps them.

#include <unistd.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"
#include "ipc/shared_value.h"

ABSL_FLAG(int, processes, 4, "processes adding to the counter (1 to 64)");
ABSL_FLAG(int, increments, 100000, "how many times each adds 1 (1 to 10000000)");

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "N processes add to one shared counter.");
  const int processes = absl::GetFlag(FLAGS_processes);
  const int increments = absl::GetFlag(FLAGS_increments);
  if (processes < 1 || processes > 64) mp::cli::ExitBadUsage("--processes must be 1 to 64");
  if (increments < 1 || increments > 10000000) {
    mp::cli::ExitBadUsage("--increments must be 1 to 10000000");
  }
  absl::StatusOr<mp::SharedValue<int64_t>> counter = mp::SharedValue<int64_t>::Create(0);
  if (!counter.ok()) return 1;
  std::fflush(stdout);
  for (int i = 0; i < processes; ++i) {
    if (fork() == 0) {
      for (int n = 0; n < increments; ++n) {
        if (!counter->Update([](int64_t& value) { ++value; }).ok()) _exit(1);
      }
      _exit(0);
    }
  }
  // the mistake: no waitpid() for the children before reading the counter
  absl::StatusOr<int64_t> total = counter->Load();
  std::printf("final count: %" PRId64 "\nexpected: %" PRId64 "\n", total.ok() ? *total : -1,
              static_cast<int64_t>(processes) * increments);
  return 0;
}
