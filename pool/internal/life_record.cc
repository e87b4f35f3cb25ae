#include "pool/internal/life_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace mp::internal {
namespace {

// Opened once per program image. A fork()ed worker inherits the descriptor; an exec()ed
// one (spawn, forkserver) opens the file anew, since the variable is inherited too.
int RecordFd() {
  static const int fd = [] {
    const char* path = std::getenv(kPoolRecordVariable);
    if (path == nullptr || *path == '\0') return -1;
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  }();
  return fd;
}

}  // namespace

bool PoolRecordEnabled() { return RecordFd() >= 0; }

void RecordPoolEvent(absl::string_view event) {
  if (!PoolRecordEnabled()) return;
  const std::string line = absl::StrCat(getpid(), " ", event, "\n");
  // One write() per line: with O_APPEND, lines of concurrent writers do not interleave.
  (void)!write(RecordFd(), line.data(), line.size());
}

std::string NewPoolRecordId() {
  static std::atomic<int> pools_created{0};
  return absl::StrCat(getpid(), ".", ++pools_created);
}

}  // namespace mp::internal
