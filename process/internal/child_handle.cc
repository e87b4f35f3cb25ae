#include "process/internal/child_handle.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"
#include "process/exit_code.h"

namespace mp::internal {
DirectChild::DirectChild(pid_t pid) : pid_(pid), pidfd_(OpenPidfd(pid)) {}

DirectChild::~DirectChild() {
  MutexLock lock(mutex_);
  if (exit_code_.has_value()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

absl::Status DirectChild::TryReapLocked() {
  if (exit_code_.has_value()) return absl::OkStatus();
  int status = 0;
  pid_t reaped;
  do {
    reaped = ::waitpid(pid_, &status, WNOHANG);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == pid_) {
    exit_code_ = ExitCodeFromWaitStatus(status);
    return absl::OkStatus();
  }
  if (reaped < 0) {
    if (errno == ECHILD) {
      return absl::FailedPreconditionError(absl::StrCat(
          "child ", pid_, " was reaped by someone else, so its exit code is lost: "
          "do not set SIGCHLD to SIG_IGN or call waitpid(-1) while using mp"));
    }
    return absl::ErrnoToStatus(errno, absl::StrCat("waitpid ", pid_));
  }
  return absl::OkStatus();  // still running
}

absl::StatusOr<std::optional<int>> DirectChild::WaitUntil(absl::Time deadline) {
  absl::Duration poll_interval = absl::Milliseconds(1);
  while (true) {
    {
      MutexLock lock(mutex_);
      if (absl::Status reaped = TryReapLocked(); !reaped.ok()) return reaped;
      if (exit_code_.has_value()) return exit_code_;
    }
    const absl::Time now = absl::Now();
    if (now >= deadline) return std::nullopt;
    // Sleep outside the lock, so that another thread can Signal() meanwhile.
    if (pidfd_.valid()) {
      absl::StatusOr<bool> ended = WaitReadable(pidfd_.get(), deadline);
      if (!ended.ok()) return ended.status();
    } else {
      absl::SleepFor(std::min(poll_interval, deadline - now));
      poll_interval = std::min(poll_interval * 2, absl::Milliseconds(50));
    }
  }
}

absl::Status DirectChild::Signal(int signal_number) {
  // Holding the lock means the child cannot be reaped meanwhile, so pid_ still names
  // it (a zombie's pid is not reused).
  MutexLock lock(mutex_);
  if (exit_code_.has_value()) return absl::OkStatus();
  if (::kill(pid_, signal_number) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid_));
  }
  return absl::OkStatus();
}

}  // namespace mp::internal
