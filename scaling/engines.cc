#include "scaling/engines.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "scaling/workloads.h"
#include "pool/pool.h"
#include "pool/thread_pool.h"

namespace mp::scaling {
namespace {

// The model GIL: one lock for the whole process, held while a task computes.
std::mutex global_interpreter_lock;

template <typename Input>
auto UnderGlobalLock(TaskCost (*task)(Input)) {
  return [task](const Input& input) {
    std::lock_guard<std::mutex> hold(global_interpreter_lock);
    return task(input);
  };
}

// A blocking call lets the lock go while it waits, as CPython's time.sleep() and I/O do:
// the task only holds it to start.
TaskCost WaitWithoutGlobalLock(int64_t micros) {
  { std::lock_guard<std::mutex> hold(global_interpreter_lock); }
  return WaitMicros(micros);
}

}  // namespace

absl::string_view EngineName(Engine engine) {
  switch (engine) {
    case Engine::kProcesses: return "processes";
    case Engine::kThreads: return "threads";
    case Engine::kGlobalLock: return "global_lock";
  }
  return "?";
}

std::optional<Engine> ParseEngine(absl::string_view name) {
  for (Engine engine : kAllEngines) {
    if (EngineName(engine) == name) return engine;
  }
  return std::nullopt;
}

absl::string_view EngineTitle(Engine engine) {
  switch (engine) {
    case Engine::kProcesses: return "Pool (processes)";
    case Engine::kThreads: return "ThreadPool (threads)";
    case Engine::kGlobalLock: return "threads + global lock";
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<EngineRunner>> EngineRunner::Create(Engine engine, int workers) {
  if (workers < 1) return absl::InvalidArgumentError("an engine needs at least one worker");
  auto runner = std::unique_ptr<EngineRunner>(new EngineRunner(engine, workers));
  if (engine == Engine::kProcesses) {
    MP_ASSIGN_OR_RETURN(Pool pool, Pool::Create({.workers = workers}));
    runner->processes_.emplace(std::move(pool));
  } else {
    MP_ASSIGN_OR_RETURN(ThreadPool pool, ThreadPool::Create({.workers = workers}));
    runner->threads_.emplace(std::move(pool));
  }
  return runner;
}

// One task per chunk: tasks are big enough that the per-chunk cost does not matter, and a
// worker that finishes early takes the next task (even load for any worker count).
// `locked_task` is what the global-lock engine runs instead of `task`.
template <typename Input, typename LockedTask>
absl::StatusOr<std::vector<TaskCost>> EngineRunner::MapTasks(TaskCost (*task)(Input),
                                                             const std::vector<Input>& inputs,
                                                             LockedTask locked_task) {
  const MapOptions one_per_chunk = {.chunksize = 1};
  switch (engine_) {
    case Engine::kProcesses: return processes_->Map(task, inputs, one_per_chunk);
    case Engine::kThreads: return threads_->Map(task, inputs, one_per_chunk);
    case Engine::kGlobalLock: return threads_->Map(locked_task, inputs, one_per_chunk);
  }
  return absl::InternalError("unknown engine");
}

absl::StatusOr<JobRun> EngineRunner::Run(Workload workload, const WorkSize& size) {
  // Inputs are built before the clock starts: only the parallel job is timed.
  std::vector<PrimeRange> prime_ranges;
  std::vector<PrimeRange> serial_ranges;
  std::vector<ArraySlices> slices;
  std::vector<int64_t> numbers;
  switch (workload) {
    case Workload::kCpu: prime_ranges = CpuTasks(size); break;
    case Workload::kSerial:
      prime_ranges = ParallelPart(size);
      serial_ranges = SerialPart(size);
      break;
    case Workload::kMemory: slices = MemoryTasks(size); break;
    case Workload::kBlocking: numbers = BlockingTasks(size); break;
    case Workload::kTrivial: numbers = TrivialTasks(size); break;
  }

  JobRun run;
  std::vector<TaskCost> costs;
  const absl::Time start = absl::Now();
  // The serial part runs on the caller before any task starts, as a program's
  // unparallelized setup would. (Nothing else runs then, so no lock is needed.)
  for (const PrimeRange& range : serial_ranges) costs.push_back(CountPrimes(range));
  if (workload == Workload::kTrivial) {
    // Automatic chunksize, as a user would map many small tasks.
    absl::StatusOr<std::vector<int64_t>> same =
        engine_ == Engine::kProcesses ? processes_->Map(Same, numbers) : threads_->Map(Same, numbers);
    if (!same.ok()) return same.status();
    for (int64_t value : *same) run.checksum += value;
  } else {
    absl::StatusOr<std::vector<TaskCost>> parallel =
        workload == Workload::kMemory
            ? MapTasks(SumSlices, slices, UnderGlobalLock(SumSlices))
        : workload == Workload::kBlocking
            ? MapTasks(WaitMicros, numbers, WaitWithoutGlobalLock)
            : MapTasks(CountPrimes, prime_ranges, UnderGlobalLock(CountPrimes));
    if (!parallel.ok()) return parallel.status();
    costs.insert(costs.end(), parallel->begin(), parallel->end());
  }
  run.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  for (const TaskCost& cost : costs) {
    run.checksum += cost.value;
    run.cpu_seconds_by_worker[cost.worker] += static_cast<double>(cost.cpu_nanos) * 1e-9;
  }
  return run;
}

absl::StatusOr<std::vector<JobRun>> EngineRunner::RunRepeatedly(Workload workload,
                                                               const WorkSize& size,
                                                               int repetitions) {
  std::vector<JobRun> runs;
  for (int repetition = 0; repetition <= repetitions; ++repetition) {
    absl::StatusOr<JobRun> run = Run(workload, size);
    if (!run.ok()) return run.status();
    if (repetition > 0) runs.push_back(*std::move(run));  // repetition 0 warms up
  }
  return runs;
}

}  // namespace mp::scaling
