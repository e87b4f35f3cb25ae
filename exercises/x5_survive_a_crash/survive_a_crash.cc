// Exercise X5: a map that survives a crashing worker.
//
// Goal (see README.md): multiply 1 .. --tasks by ten on a pool of 2 workers. Task
// --crash_task kills its own worker (SIGKILL, as the kernel's out-of-memory killer
// would). Print "task i: <result>" for every task that succeeded and
// "task i: failed: <why>" for the one that did not, then "survived", and exit 0.
//
// Run it:    ./bazelw run //exercises/x5_survive_a_crash -- --crash_task=4
// Grade it:  ./bazelw test //exercises/x5_survive_a_crash:grade

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
  // One task per chunk: a dying worker takes only the task it was running with it.
  // TODO(student): Map gives all results or the first error: one crash loses them all.
  // Use pool->MapAsync(Tenfold, jobs, {.chunksize = 1}) and its GetEach(), which gives
  // every task's own absl::StatusOr, and print each as the goal says.
  absl::StatusOr<std::vector<int64_t>> results = pool->Map(Tenfold, jobs, {.chunksize = 1});
  if (!results.ok()) {
    std::fprintf(stderr, "the map failed: %s\n", results.status().ToString().c_str());
    return 1;
  }
  for (size_t i = 0; i < results->size(); ++i) {
    std::printf("task %zu: %" PRId64 "\n", i + 1, (*results)[i]);
  }
  std::printf("survived\n");
  return 0;
}
