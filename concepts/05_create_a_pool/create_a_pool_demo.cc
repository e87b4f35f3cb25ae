// Q5: how do you create a pool of worker processes?
//
//   bazel run //concepts/05_create_a_pool:demo
//   bazel run //concepts/05_create_a_pool:demo -- --workers=3 --max_tasks_per_child=2 --start_method=spawn
//
// The whole life of a pool, one step per line: create it (size, start method, an
// initializer, max tasks per child), map a function over a list, close it, join it.

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "base/cli/parse_flags.h"
#include "pool/pool.h"
#include "process/cpu_count.h"
#include "process/hand_off.h"

ABSL_FLAG(int, workers, 0, "worker processes; 0 means one per CPU (CpuCount())");
ABSL_FLAG(int, tasks, 12, "how many numbers to square (1 to 100000)");
ABSL_FLAG(int, chunksize, 0, "tasks per message to a worker; 0 chooses like Python");
ABSL_FLAG(int64_t, max_tasks_per_child, 0, "replace a worker after this many tasks; 0 never");
ABSL_FLAG(std::string, start_method, "fork", "fork, spawn or forkserver");

namespace {

int64_t offset = 0;  // set in each worker by the initializer

// Runs once in every worker before its first task (Python's initializer=).
void SetOffset(int64_t value) { offset = value; }
MP_POOL_TASK(SetOffset);

struct Squared {
  int64_t value = 0;
  pid_t worker = 0;
};

Squared SquarePlusOffset(int64_t x) { return {x * x + offset, getpid()}; }
MP_POOL_TASK(SquarePlusOffset);

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);  // spawn and forkserver workers start here
  mp::cli::ParseFlags(argc, argv, "Creates a pool, maps over it, closes and joins it.");
  const int workers = absl::GetFlag(FLAGS_workers);
  const int tasks = absl::GetFlag(FLAGS_tasks);
  const int chunksize = absl::GetFlag(FLAGS_chunksize);
  const int64_t max_tasks = absl::GetFlag(FLAGS_max_tasks_per_child);
  const std::optional<mp::StartMethod> method = mp::ParseStartMethod(absl::GetFlag(FLAGS_start_method));
  if (workers < 0 || workers > 256) mp::cli::ExitBadUsage("--workers must be 0 to 256");
  if (tasks < 1 || tasks > 100'000) mp::cli::ExitBadUsage("--tasks must be 1 to 100000");
  if (chunksize < 0) mp::cli::ExitBadUsage("--chunksize must be 0 or more");
  if (max_tasks < 0) mp::cli::ExitBadUsage("--max_tasks_per_child must be 0 or more");
  if (!method) mp::cli::ExitBadUsage("--start_method must be fork, spawn or forkserver");

  // 1. Create: the size, how workers start, what each runs first, when each retires.
  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = workers,
                                                    .start_method = *method,
                                                    .max_tasks_per_child = max_tasks,
                                                    .initializer = mp::Call(SetOffset, int64_t{1000})});
  if (!pool.ok()) return Fail("Pool::Create()", pool.status());
  std::printf("1. created a pool of %d workers (%s; this machine: CpuCount() = %d), start method %s\n",
              pool->workers(), workers == 0 ? "the default" : "as asked", mp::CpuCount(),
              std::string(mp::StartMethodName(*method)).c_str());
  std::printf("   worker pids: %s; each ran the initializer SetOffset(1000)\n",
              absl::StrJoin(pool->WorkerPids(), ", ").c_str());

  // 2. Map: one call, every input, results in input order.
  std::vector<int64_t> inputs;
  for (int64_t x = 1; x <= tasks; ++x) inputs.push_back(x);
  absl::StatusOr<std::vector<Squared>> squares =
      pool->Map(SquarePlusOffset, inputs, {.chunksize = chunksize});
  if (!squares.ok()) return Fail("Map()", squares.status());
  std::set<pid_t> used;
  std::vector<int64_t> values;
  for (const Squared& square : *squares) {
    values.push_back(square.value);
    used.insert(square.worker);
  }
  const size_t shown = std::min<size_t>(values.size(), 8);
  std::printf("2. Map(SquarePlusOffset, 1..%d) = [%s%s]\n", tasks,
              absl::StrJoin(values.begin(), values.begin() + shown, ", ").c_str(),
              shown < values.size() ? ", ..." : "");
  std::printf("   run by %zu distinct worker processes%s\n", used.size(),
              max_tasks > 0 ? " (workers retire after --max_tasks_per_child tasks)" : "");

  // 3. Close: no more work. 4. Join: wait for the workers to finish and exit.
  pool->Close();
  std::printf("3. Close(): a new Map now fails: %s\n",
              pool->Map(SquarePlusOffset, inputs).status().ToString().c_str());
  if (absl::Status joined = pool->Join(); !joined.ok()) return Fail("Join()", joined);
  std::printf("4. Join(): every worker has exited and been collected\n");
  return 0;
}
