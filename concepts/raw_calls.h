// The three loops every program that calls read(), write() and waitpid() itself needs,
// written once for the lessons that use the system calls directly (3b, 9b):
// a write() may write less than asked, a read() may return less than asked, and a
// signal handled meanwhile makes each of them, and waitpid(), fail with EINTR.
// Async-signal-safe: a forked child of a threaded process may call them.

#ifndef MP_CONCEPTS_RAW_CALLS_H_
#define MP_CONCEPTS_RAW_CALLS_H_

#include <sys/types.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mp::concepts {

// Writes all of `bytes`, retrying after EINTR and short writes. False on an error.
bool WriteAll(int fd, const void* bytes, size_t size);

// Reads exactly `size` bytes. False at end of file before that, or on an error.
bool ReadAll(int fd, void* bytes, size_t size);

// waitpid() until it collects `pid`; returns the raw status (decode it with
// WIFEXITED and friends).
absl::StatusOr<int> WaitForChild(pid_t pid);

// Runs `experiment` (returning two ints) in a child of its own, a "lab" whose signal
// mask, handlers, filters and children are its own business, and returns what it
// reported once the lab has been collected.
template <typename Experiment>
absl::StatusOr<std::array<int, 2>> InALab(Experiment experiment) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  std::fflush(stdout);  // or the lab's copy of unwritten output is written twice
  const pid_t lab = fork();
  if (lab == -1) return absl::ErrnoToStatus(errno, "fork");
  if (lab == 0) {
    close(report[0]);
    const std::array<int, 2> found = experiment();
    WriteAll(report[1], found.data(), sizeof(found));
    _exit(0);
  }
  close(report[1]);
  std::array<int, 2> found = {-1, -1};
  const bool reported = ReadAll(report[0], found.data(), sizeof(found));
  close(report[0]);
  absl::StatusOr<int> status = WaitForChild(lab);
  if (!status.ok()) return status.status();
  if (!reported) return absl::InternalError("the experiment's process did not report");
  return found;
}

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_RAW_CALLS_H_
