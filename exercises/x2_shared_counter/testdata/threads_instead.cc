// A wrong answer to exercise X2 (the grader must fail it): the adders are threads with a
// mutex, not processes. The count is right, but nothing was shared between processes.

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

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
  std::mutex mutex;
  int64_t count = 0;
  std::vector<std::thread> adders;  // the mistake: threads of one process
  for (int i = 0; i < processes; ++i) {
    adders.emplace_back([&] {
      for (int n = 0; n < increments; ++n) {
        std::lock_guard<std::mutex> lock(mutex);
        ++count;
      }
    });
  }
  for (std::thread& adder : adders) adder.join();
  std::printf("final count: %" PRId64 "\nexpected: %" PRId64 "\n", count,
              static_cast<int64_t>(processes) * increments);
  return 0;
}
