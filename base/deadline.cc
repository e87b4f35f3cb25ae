#include "base/deadline.h"

#include <algorithm>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace mp::internal {

absl::Status CheckTimeout(absl::Duration timeout, absl::string_view operation) {
  if (timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        operation, " timeout must not be negative, got ", absl::FormatDuration(timeout)));
  }
  return absl::OkStatus();
}

int PollTimeoutMs(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return -1;
  const absl::Duration left = deadline - absl::Now();
  return static_cast<int>(std::clamp<int64_t>(
      absl::ToInt64Milliseconds(left + absl::Microseconds(999)), 0, 1 << 30));
}

}  // namespace mp::internal
