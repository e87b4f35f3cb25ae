// The three ways the scaling report runs a workload on N workers:
//
// - processes:   mp::Pool, N worker processes.
// - threads:     mp::ThreadPool, N threads of this process.
// - global_lock: mp::ThreadPool, but every task holds one process-wide mutex while it
//   computes: a model of CPython's global interpreter lock (GIL). As in CPython, the lock
//   is let go while a task blocks (the blocking workload waits without it).
//
//   absl::StatusOr<std::unique_ptr<EngineRunner>> runner =
//       EngineRunner::Create(Engine::kProcesses, /*workers=*/4);
//   absl::StatusOr<JobRun> run = (*runner)->Run(Workload::kCpu, WorkSize::Scaled(1, 0.25));
//   // run->wall_seconds, run->checksum, run->cpu_seconds_by_worker
//
// The memory workload needs PrepareArray() before a processes runner is created.

#ifndef MP_SCALING_ENGINES_H_
#define MP_SCALING_ENGINES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scaling/workloads.h"
#include "pool/pool.h"
#include "pool/thread_pool.h"

namespace mp::scaling {

enum class Engine { kProcesses, kThreads, kGlobalLock };
inline constexpr Engine kAllEngines[] = {Engine::kProcesses, Engine::kThreads,
                                          Engine::kGlobalLock};

// "processes", "threads", "global_lock".
absl::string_view EngineName(Engine engine);
std::optional<Engine> ParseEngine(absl::string_view name);
// For a table: "Pool (processes)", "ThreadPool (threads)", "threads + global lock".
absl::string_view EngineTitle(Engine engine);

// One timed job.
struct JobRun {
  double wall_seconds = 0;
  // The job's answer: the same for every engine and worker count, or something is wrong.
  int64_t checksum = 0;
  // CPU time each worker spent inside tasks, by worker (thread id or pid).
  std::map<int64_t, double> cpu_seconds_by_worker = {};
};

// A pool of one engine's workers, reused for every job it runs.
class EngineRunner {
 public:
  // Starts the workers; InvalidArgument for workers < 1.
  static absl::StatusOr<std::unique_ptr<EngineRunner>> Create(Engine engine, int workers);

  // Runs one job of `workload` and times it (wall clock, from submitting the first task
  // to holding every result).
  absl::StatusOr<JobRun> Run(Workload workload, const WorkSize& size);

  // One untimed warm-up job (first page faults, worker start-up), then `repetitions`
  // timed ones; their runs, in order.
  absl::StatusOr<std::vector<JobRun>> RunRepeatedly(Workload workload, const WorkSize& size,
                                                    int repetitions);

  int workers() const { return workers_; }

 private:
  EngineRunner(Engine engine, int workers) : engine_(engine), workers_(workers) {}

  template <typename Input, typename LockedTask>
  absl::StatusOr<std::vector<TaskCost>> MapTasks(TaskCost (*task)(Input),
                                                 const std::vector<Input>& inputs,
                                                 LockedTask locked_task);

  Engine engine_;
  int workers_;
  std::optional<Pool> processes_;       // for kProcesses
  std::optional<ThreadPool> threads_;   // for the other engines
};

}  // namespace mp::scaling

#endif  // MP_SCALING_ENGINES_H_
