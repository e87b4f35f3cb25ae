#include "concepts/raw_calls.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"

namespace mp::concepts {

bool WriteAll(int fd, const void* bytes, size_t size) {
  const char* next = static_cast<const char*>(bytes);
  while (size > 0) {
    const ssize_t wrote = write(fd, next, size);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    next += wrote;
    size -= static_cast<size_t>(wrote);
  }
  return true;
}

bool ReadAll(int fd, void* bytes, size_t size) {
  char* next = static_cast<char*>(bytes);
  while (size > 0) {
    const ssize_t got = read(fd, next, size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    next += got;
    size -= static_cast<size_t>(got);
  }
  return true;
}

absl::StatusOr<int> WaitForChild(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) == -1) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "waitpid");
  }
  return status;
}

}  // namespace mp::concepts
