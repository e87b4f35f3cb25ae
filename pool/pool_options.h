// PoolOptions: how an mp::Pool is made (pool.h), and Call() for its initializer.

#ifndef MP_POOL_POOL_OPTIONS_H_
#define MP_POOL_POOL_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "base/arg_codec.h"
#include "pool/pool_task.h"
#include "process/process.h"

namespace mp {

// A registered task with its arguments, e.g. for PoolOptions::initializer.
struct PoolCall {
  std::string task_name = {};  // empty if the function was not registered
  std::string encoded_args = {};
  bool given = false;
};

// Call(Setup, 42): `Setup` must be registered with MP_POOL_TASK.
template <typename R, typename... Params, typename... Args>
PoolCall Call(R (*task)(Params...), const Args&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "Call(): wrong number of arguments");
  return {internal::PoolTaskName(task), internal::EncodeAll(std::decay_t<Params>(args)...), true};
}

struct PoolOptions {
  // 0: one per CPU this process may use (CpuCount()).
  int workers = 0;
  StartMethod start_method = StartMethod::kFork;
  // A worker exits and is replaced after this many tasks; 0 for never.
  int64_t max_tasks_per_child = 0;
  // How many more times a task is run when its worker dies while running it.
  int retries = 0;
  // Bytes of each shared-memory queue (one inbox per worker, one for results): a chunk of
  // tasks, or of results, must fit in one.
  size_t queue_bytes = size_t{4} << 20;
  // Run first in every worker, e.g. Call(OpenDatabase, path). Empty: none.
  PoolCall initializer = {};
  // Workers run under Linux's SCHED_BATCH policy (sched(7)): the same share of the CPU,
  // but a worker woken for work does not preempt the thread that woke it, which is
  // usually this pool's manager handing out more (faster for one-task chunks on an idle
  // machine, not on a busy one: benchmarks/results/design_measurements.md). Processes a
  // task starts inherit it.
  // false: the default policy, for tasks whose wake-up latency matters more.
  bool batch_scheduling = true;
};

}  // namespace mp

#endif  // MP_POOL_POOL_OPTIONS_H_
