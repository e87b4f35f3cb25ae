// Exercise X2: N processes add to one counter, and no update is lost.
//
// Goal (see README.md): start --processes children that each add 1 to a counter
// --increments times; after joining them, the parent prints "final count: X" and
// "expected: Y" (Y = processes * increments), and X must equal Y, every time.
//
// Run it:    ./bazelw run //exercises/x2_shared_counter
// Grade it:  ./bazelw test //exercises/x2_shared_counter:grade

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

// TODO(student): each child gets its own copy of this global at fork(), so the
// parent's stays 0. Put the counter in shared memory instead: an
// mp::SharedValue<int64_t> (ipc/shared_value.h), created in main() before the children.
// Then make each increment a locked read-modify-write, or updates will be lost.
int64_t counter = 0;

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "N processes add to one shared counter.");
  const int processes = absl::GetFlag(FLAGS_processes);
  const int increments = absl::GetFlag(FLAGS_increments);
  if (processes < 1 || processes > 64) mp::cli::ExitBadUsage("--processes must be 1 to 64");
  if (increments < 1 || increments > 10000000) {
    mp::cli::ExitBadUsage("--increments must be 1 to 10000000");
  }

  std::vector<mp::Process> children;
  for (int i = 0; i < processes; ++i) {
    children.emplace_back([increments] {
      for (int n = 0; n < increments; ++n) ++counter;
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
  std::printf("final count: %" PRId64 "\nexpected: %" PRId64 "\n", counter,
              static_cast<int64_t>(processes) * increments);
  return 0;
}
