#include "base/random_hex.h"

#include <sys/random.h>

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace mp::internal {

absl::StatusOr<std::string> RandomHex(size_t bytes) {
  std::string random(bytes, '\0');
  size_t filled = 0;
  while (filled < bytes) {
    const ssize_t got = getrandom(random.data() + filled, bytes - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return absl::ErrnoToStatus(errno, "getrandom");
    filled += static_cast<size_t>(got);
  }
  return absl::BytesToHexString(random);
}

}  // namespace mp::internal
