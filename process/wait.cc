#include "process/wait.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace mp {

absl::StatusOr<std::vector<int>> Wait(absl::Span<const int> descriptors, absl::Duration timeout) {
  if (descriptors.empty()) return absl::InvalidArgumentError("Wait(): nothing to wait for");
  if (timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("Wait(): the timeout must be >= 0 (or infinite)");
  }
  std::vector<pollfd> watched;
  for (int fd : descriptors) {
    if (fd < 0) return absl::InvalidArgumentError(absl::StrCat("Wait(): descriptor ", fd, " is negative"));
    watched.push_back({.fd = fd, .events = POLLIN, .revents = 0});
  }
  const absl::Time deadline =
      timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : absl::Now() + timeout;
  while (true) {
    int wait_ms = -1;
    if (deadline != absl::InfiniteFuture()) {
      // Rounded up, so that a wait never ends a little before its deadline.
      wait_ms = static_cast<int>(std::min<int64_t>(
          absl::ToInt64Milliseconds(absl::Ceil(std::max(deadline - absl::Now(), absl::ZeroDuration()),
                                               absl::Milliseconds(1))),
          INT32_MAX));
    }
    const int ready = poll(watched.data(), watched.size(), wait_ms);
    if (ready < 0 && errno == EINTR) continue;  // a handled signal: keep waiting
    if (ready < 0) return absl::ErrnoToStatus(errno, "poll");
    std::vector<int> result;
    for (const pollfd& entry : watched) {
      if ((entry.revents & POLLNVAL) != 0) {
        return absl::InvalidArgumentError(absl::StrCat("Wait(): descriptor ", entry.fd, " is not open"));
      }
      if (entry.revents != 0) result.push_back(entry.fd);
    }
    if (!result.empty() || absl::Now() >= deadline) return result;
  }
}

}  // namespace mp
