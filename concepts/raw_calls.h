// The three loops every program that calls read(), write() and waitpid() itself needs,
// written once for the lessons that use the system calls directly (3b, 9b):
// a write() may write less than asked, a read() may return less than asked, and a
// signal handled meanwhile makes each of them, and waitpid(), fail with EINTR.
// Async-signal-safe: a forked child of a threaded process may call them.

#ifndef MP_CONCEPTS_RAW_CALLS_H_
#define MP_CONCEPTS_RAW_CALLS_H_

#include <sys/types.h>

#include <cstddef>

#include "absl/status/statusor.h"

namespace mp::concepts {

// Writes all of `bytes`, retrying after EINTR and short writes. False on an error.
bool WriteAll(int fd, const void* bytes, size_t size);

// Reads exactly `size` bytes. False at end of file before that, or on an error.
bool ReadAll(int fd, void* bytes, size_t size);

// waitpid() until it collects `pid`; returns the raw status (decode it with
// WIFEXITED and friends).
absl::StatusOr<int> WaitForChild(pid_t pid);

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_RAW_CALLS_H_
