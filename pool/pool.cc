#include "pool/pool.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/status_macros.h"
#include "pool/internal/pool_core.h"

namespace mp {

absl::StatusOr<Pool> Pool::Create(PoolOptions options) {
  MP_ASSIGN_OR_RETURN(std::unique_ptr<internal::PoolCore> core,
                      internal::PoolCore::Start(std::move(options)));
  return Pool(std::move(core));
}

Pool::Pool(std::unique_ptr<internal::PoolCore> core) : PoolCalls(std::move(core)) {}

std::vector<pid_t> Pool::WorkerPids() const {
  return static_cast<const internal::PoolCore&>(engine()).WorkerPids();  // Create() made it one
}

}  // namespace mp
