// Lesson 9: what happens when a worker process crashes?
//
//   bazel run //concepts/09_fault_tolerance:demo
//   bazel run //concepts/09_fault_tolerance:demo -- --crash=segfault --transient --retries=1
//
// Maps a task over a pool, and one task crashes the worker running it. Prints every
// task's outcome, the workers before and after, and that the call came back.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "concepts/09_fault_tolerance/crashing_tasks.h"
#include "ipc/shared_value.h"
#include "pool/pool.h"

ABSL_FLAG(int, tasks, 12, "tasks in the map (1 to 10000)");
ABSL_FLAG(int, workers, 2, "worker processes (1 to 64)");
ABSL_FLAG(int64_t, crash_task, 7, "which task crashes its worker (0 to tasks - 1)");
ABSL_FLAG(std::string, crash, "sigkill", "how: sigkill, segfault, abort or exit (_exit(3))");
ABSL_FLAG(bool, transient, false, "crash only the first time the task runs");
ABSL_FLAG(int, retries, 0, "times a task whose worker died is run again (0 to 10)");

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "A map in which one task crashes its worker.");
  const int tasks = absl::GetFlag(FLAGS_tasks);
  const int workers = absl::GetFlag(FLAGS_workers);
  const int retries = absl::GetFlag(FLAGS_retries);
  mp::concepts::Crash crash;
  if (!mp::concepts::ParseCrash(absl::GetFlag(FLAGS_crash), &crash)) {
    mp::cli::ExitBadUsage("--crash must be sigkill, segfault, abort or exit");
  }
  if (tasks < 1 || tasks > 10'000) mp::cli::ExitBadUsage("--tasks must be 1 to 10000");
  if (const int64_t crash_task = absl::GetFlag(FLAGS_crash_task); crash_task < 0 || crash_task >= tasks) {
    mp::cli::ExitBadUsage(absl::StrCat("--crash_task must be 0 to ", tasks - 1,
                                       " (--tasks - 1): task ", crash_task, " is not in the map"));
  }
  if (workers < 1 || workers > 64) mp::cli::ExitBadUsage("--workers must be 1 to 64");
  if (retries < 0 || retries > 10) mp::cli::ExitBadUsage("--retries must be 0 to 10");

  absl::StatusOr<mp::RawSharedValue<int32_t>> attempts = mp::RawSharedValue<int32_t>::Create(0);
  if (!attempts.ok()) return 1;
  const std::string attempts_name = absl::GetFlag(FLAGS_transient) ? attempts->name() : "";
  absl::StatusOr<mp::Pool> pool = mp::Pool::Create(
      {.workers = workers,
       .retries = retries,
       .initializer = mp::Call(mp::concepts::ConfigureCrash, absl::GetFlag(FLAGS_crash_task),
                               static_cast<int32_t>(crash), attempts_name)});
  if (!pool.ok()) {
    std::fprintf(stderr, "Pool::Create(): %s\n", pool.status().ToString().c_str());
    return 1;
  }
  std::printf("workers before: %s\n", absl::StrJoin(pool->WorkerPids(), ", ").c_str());
  std::printf("mapping DoubleOrCrash over %d tasks; task %lld crashes its worker (%s%s), "
              "retries = %d\n\n", tasks, static_cast<long long>(absl::GetFlag(FLAGS_crash_task)),
              absl::GetFlag(FLAGS_crash).c_str(), absl::GetFlag(FLAGS_transient) ? ", once" : "",
              retries);

  std::vector<int64_t> inputs;
  for (int64_t task = 0; task < tasks; ++task) inputs.push_back(task);
  const absl::Time start = absl::Now();
  absl::StatusOr<mp::MapResult<int64_t>> async = pool->MapAsync(mp::concepts::DoubleOrCrash, inputs, {.chunksize = 1});
  if (!async.ok()) return 1;
  absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> each = async->GetEach(absl::Seconds(60));
  if (!each.ok()) {
    std::fprintf(stderr, "the map did not come back: %s\n", each.status().ToString().c_str());
    return 1;
  }
  int failed = 0;
  for (int task = 0; task < tasks; ++task) {
    const absl::StatusOr<int64_t>& result = (*each)[task];
    if (result.ok()) {
      std::printf("  task %2d: %lld\n", task, static_cast<long long>(*result));
    } else {
      ++failed;
      std::printf("  task %2d: %s\n", task, result.status().ToString().c_str());
    }
  }
  std::printf("\nthe map came back after %.0f ms: %d of %d tasks succeeded\n",
              absl::ToDoubleMilliseconds(absl::Now() - start), tasks - failed, tasks);
  std::printf("workers after:  %s (the dead one was replaced)\n",
              absl::StrJoin(pool->WorkerPids(), ", ").c_str());
  pool->Close();
  return pool->Join().ok() ? 0 : 1;
}
