// UniqueFd owns one file descriptor and closes it when destroyed, so no error path
// leaks a descriptor. Every descriptor this library opens is close-on-exec: a program
// it starts inherits only what is handed to it on purpose.

#ifndef MP_BASE_UNIQUE_FD_H_
#define MP_BASE_UNIQUE_FD_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mp::internal {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Gives up ownership without closing.
  int Release() { return std::exchange(fd_, -1); }

  // Closes the owned descriptor, if any, and owns `fd` instead.
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

// A pipe with both ends close-on-exec.
absl::StatusOr<Pipe> MakePipe();

// Waits until `fd` is readable (data or end of file) or `deadline` passes. Returns
// true if readable. Restarts after signals.
absl::StatusOr<bool> WaitReadable(int fd, absl::Time deadline);

// Writes all of `data`, retrying short writes and EINTR. Writing to a pipe whose
// reader is gone raises SIGPIPE, as write(2) does.
absl::Status WriteAll(int fd, std::string_view data);

// One write(2) that reports a reader who has gone away as EPIPE (returns -1) instead
// of raising SIGPIPE, whose default action would end this whole process. Works for
// pipes as well as sockets, by blocking SIGPIPE in the calling thread meanwhile.
ssize_t WriteWithoutSigpipe(int fd, std::string_view data);

// Reads until end of file.
absl::StatusOr<std::string> ReadAll(int fd);

// The whole of file `path`; an error that names the path if it cannot be opened or read
// (missing, a directory, not permitted). Never throws, as an std::ifstream read through
// its buffer does when read(2) fails.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// A pidfd for process `pid` (pidfd_open(2)): readable once the process has ended,
// whether or not it is our child. Close-on-exec. Invalid, with errno set, if there is
// no such process (ESRCH: it has ended and been reaped) or the kernel lacks pidfds.
UniqueFd OpenPidfd(pid_t pid);

}  // namespace mp::internal

#endif  // MP_BASE_UNIQUE_FD_H_
