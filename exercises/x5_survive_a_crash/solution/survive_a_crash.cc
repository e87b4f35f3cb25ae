// Reference solution for exercise X5: a map that survives a crashing worker.

#include <signal.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "base/cli/parse_flags.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "process/hand_off.h"

ABSL_FLAG(int, tasks, 10, "tasks (1 to 1000)");
ABSL_FLAG(int, crash_task, 4, "the task whose worker dies (0: none)");

struct Job {
  int64_t number = 0;
  bool crash = false;
};

int64_t Tenfold(Job job) {
  if (job.crash) kill(getpid(), SIGKILL);  // the worker dies mid-task
  return 10 * job.number;
}
MP_POOL_TASK(Tenfold);

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "Maps over tasks while one of them kills its worker.");
  const int tasks = absl::GetFlag(FLAGS_tasks);
  if (tasks < 1 || tasks > 1000) mp::cli::ExitBadUsage("--tasks must be 1 to 1000");
  const int crash_task = absl::GetFlag(FLAGS_crash_task);
  if (crash_task < 0 || crash_task > tasks) mp::cli::ExitBadUsage("--crash_task must be 0 (none) to --tasks");
  std::vector<Job> jobs;
  for (int i = 1; i <= tasks; ++i) jobs.push_back({i, i == absl::GetFlag(FLAGS_crash_task)});

  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = 2});
  if (!pool.ok()) {
    std::fprintf(stderr, "cannot start the pool: %s\n", pool.status().ToString().c_str());
    return 1;
  }
  // One task per chunk: a dying worker takes only the task it was running with it (its
  // whole chunk, with larger chunks). The pool notices the death, starts a new worker,
  // fails that task with the signal's name, and runs the rest.
  absl::StatusOr<mp::MapResult<int64_t>> async = pool->MapAsync(Tenfold, jobs, {.chunksize = 1});
  if (!async.ok()) {
    std::fprintf(stderr, "cannot submit the map: %s\n", async.status().ToString().c_str());
    return 1;
  }
  // GetEach: every task's own result or error, in order (Get would give the first error).
  absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> each = async->GetEach();
  if (!each.ok()) {
    std::fprintf(stderr, "the map did not finish: %s\n", each.status().ToString().c_str());
    return 1;
  }
  for (size_t i = 0; i < each->size(); ++i) {
    const absl::StatusOr<int64_t>& result = (*each)[i];
    if (result.ok()) {
      std::printf("task %zu: %" PRId64 "\n", i + 1, *result);
    } else {
      std::printf("task %zu: failed: %s\n", i + 1, std::string(result.status().message()).c_str());
    }
  }
  std::printf("survived\n");
  return 0;
}
