#include "pool/pool.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pool/internal/pool_core.h"
#include "process/cpu_count.h"
#include "process/status_macros.h"

namespace mp {

absl::StatusOr<Pool> Pool::Create(PoolOptions options) {
  if (options.workers < 0 || options.retries < 0 || options.max_tasks_per_child < 0) {
    return absl::InvalidArgumentError(
        "PoolOptions: workers, retries and max_tasks_per_child must not be negative");
  }
  if (options.initializer.given && options.initializer.task_name.empty()) {
    return absl::FailedPreconditionError(
        "PoolOptions::initializer is not a pool task: register it with MP_POOL_TASK");
  }
  internal::PoolCoreOptions core_options{
      .workers = options.workers > 0 ? options.workers : CpuCount(),
      .start_method = options.start_method,
      .max_tasks_per_child = options.max_tasks_per_child,
      .retries = options.retries,
      .queue_bytes = options.queue_bytes,
      .initializer = options.initializer.task_name,
      .initializer_args = options.initializer.encoded_args,
      .batch_scheduling = options.batch_scheduling,
  };
  MP_ASSIGN_OR_RETURN(std::unique_ptr<internal::PoolCore> core,
                      internal::PoolCore::Start(std::move(core_options)));
  return Pool(std::move(core));
}

Pool::Pool(std::unique_ptr<internal::PoolCore> core) : PoolCalls(std::move(core)) {}

std::vector<pid_t> Pool::WorkerPids() const {
  return static_cast<const internal::PoolCore&>(engine()).WorkerPids();  // Create() made it one
}

}  // namespace mp
