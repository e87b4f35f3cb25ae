#include "pool/remote/remote_pool.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "base/status_macros.h"

namespace mp {

absl::StatusOr<RemotePool> RemotePool::Create(RemotePoolOptions options) {
  if (options.call_timeout <= absl::ZeroDuration() || options.connect_timeout <= absl::ZeroDuration() ||
      options.health_interval <= absl::ZeroDuration() || options.max_message_bytes < 1024) {
    return absl::InvalidArgumentError(
        "RemotePoolOptions: timeouts and health_interval must be positive, max_message_bytes "
        "at least 1024");
  }
  MP_ASSIGN_OR_RETURN(std::unique_ptr<remote::RemoteCore> core,
                      remote::RemoteCore::Start(std::move(options)));
  return RemotePool(std::move(core));
}

}  // namespace mp
