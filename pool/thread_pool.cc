#include "pool/thread_pool.h"

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pool/internal/engine.h"
#include "pool/internal/thread_pool_core.h"
#include "process/cpu_count.h"

namespace mp {

absl::StatusOr<ThreadPool> ThreadPool::Create(ThreadPoolOptions options) {
  if (options.workers < 0) {
    return absl::InvalidArgumentError("ThreadPoolOptions::workers must not be negative");
  }
  const int threads = options.workers > 0 ? options.workers : CpuCount();
  return ThreadPool(std::make_unique<internal::ThreadPoolCore>(threads));
}

}  // namespace mp
