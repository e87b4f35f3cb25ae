#include "pool/internal/death_watch.h"

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace mp::internal {
namespace {

// epoll_event's data for the stop eventfd; any other is a watched pid (always > 0).
constexpr uint64_t kStopMark = 0;

}  // namespace

absl::StatusOr<std::unique_ptr<DeathWatch>> DeathWatch::Start(
    std::function<void(pid_t)> on_death) {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return absl::ErrnoToStatus(errno, "epoll_create1, for the pool's death watch");
  UniqueFd stop(::eventfd(0, EFD_CLOEXEC));
  if (!stop.valid()) return absl::ErrnoToStatus(errno, "eventfd, for the pool's death watch");
  epoll_event event{.events = EPOLLIN, .data = {.u64 = kStopMark}};
  if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, stop.get(), &event) != 0) {
    return absl::ErrnoToStatus(errno, "epoll_ctl, for the pool's death watch");
  }
  std::unique_ptr<DeathWatch> watch(
      new DeathWatch(std::move(on_death), std::move(epoll), std::move(stop)));
  watch->thread_ = std::thread(&DeathWatch::Run, watch.get());
  return watch;
}

DeathWatch::~DeathWatch() {
  const uint64_t one = 1;
  (void)!::write(stop_.get(), &one, sizeof one);
  thread_.join();
}

absl::Status DeathWatch::Watch(pid_t pid) {
  UniqueFd pidfd = OpenPidfd(pid);
  if (!pidfd.valid()) return absl::ErrnoToStatus(errno, absl::StrCat("pidfd_open ", pid));
  // One-shot: an ended process's pidfd stays readable, and it is reported once.
  epoll_event event{.events = EPOLLIN | EPOLLONESHOT, .data = {.u64 = static_cast<uint64_t>(pid)}};
  MutexLock lock(mutex_);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, pidfd.get(), &event) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("epoll_ctl for worker ", pid));
  }
  pidfds_[pid] = std::move(pidfd);
  return absl::OkStatus();
}

void DeathWatch::Forget(pid_t pid) {
  MutexLock lock(mutex_);
  // Closing the only descriptor of a pidfd takes it out of the epoll set too.
  pidfds_.erase(pid);
}

void DeathWatch::Run() {
  epoll_event events[16];
  while (true) {
    const int ready = ::epoll_wait(epoll_.get(), events, 16, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return;  // only a bad descriptor or buffer would do this: neither can happen here
    }
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kStopMark) return;
    }
    // In the order epoll gave them: a process that ended before another is reported
    // before it, or in the same batch.
    for (int i = 0; i < ready; ++i) on_death_(static_cast<pid_t>(events[i].data.u64));
  }
}

}  // namespace mp::internal
