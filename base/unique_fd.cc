#include "base/unique_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/deadline.h"

namespace mp::internal {

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) {
    // Linux releases the descriptor even when close() reports EINTR: never retry.
    ::close(fd_);
  }
  fd_ = fd;
}

absl::StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

absl::StatusOr<bool> WaitReadable(int fd, absl::Time deadline) {
  while (true) {
    pollfd entry{.fd = fd, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&entry, 1, PollTimeoutMs(deadline));
    if (ready > 0) return true;
    if (ready == 0) {
      if (absl::Now() >= deadline) return false;
      continue;
    }
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "poll");
  }
}

absl::Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "write");
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

ssize_t WriteWithoutSigpipe(int fd, std::string_view data) {
  sigset_t sigpipe_only;
  sigset_t previous;
  sigemptyset(&sigpipe_only);
  sigaddset(&sigpipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe_only, &previous);
  const ssize_t written = ::write(fd, data.data(), data.size());
  const int write_errno = errno;
  if (written < 0 && write_errno == EPIPE && !sigismember(&previous, SIGPIPE)) {
    // Discard the SIGPIPE this write queued, so it is not delivered on unblocking.
    const timespec no_wait{};
    sigtimedwait(&sigpipe_only, nullptr, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = write_errno;
  return written;
}

absl::StatusOr<std::string> ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) return text;
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "read");
    }
    text.append(buffer, static_cast<size_t>(got));
  }
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  absl::StatusOr<std::string> text =
      file.valid() ? ReadAll(file.get()) : absl::ErrnoToStatus(errno, "open");
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", text.status().message(),
                                                   " (check the path and its permissions)"));
  }
  return text;
}

UniqueFd OpenPidfd(pid_t pid) {
  // glibc 2.36 has pidfd_open(), but calling the system call directly keeps this
  // working with older C libraries too. Since Linux 5.10 the descriptor is O_CLOEXEC.
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

}  // namespace mp::internal
