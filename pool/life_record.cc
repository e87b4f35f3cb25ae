#include "pool/life_record.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

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
  const std::string line = absl::StrCat(getpid(), " ", event, " us=", PoolRecordMicros(), "\n");
  // One write() per line: with O_APPEND, lines of concurrent writers do not interleave.
  (void)!write(RecordFd(), line.data(), line.size());
}

int64_t PoolRecordMicros() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

std::string NewPoolRecordId() {
  static std::atomic<int> pools_created{0};
  return absl::StrCat(getpid(), ".", ++pools_created);
}

std::string PoolEvent::Field(const std::string& name) const {
  auto found = fields.find(name);
  return found == fields.end() ? "" : found->second;
}

std::vector<PoolEvent> ParsePoolRecord(absl::string_view text) {
  std::vector<PoolEvent> events;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    PoolEvent event;
    if (words.size() < 2 || !absl::SimpleAtoi(words[0], &event.writer)) continue;
    event.what = std::string(words[1]);
    for (size_t i = 2; i < words.size(); ++i) {
      std::pair<std::string, std::string> field = absl::StrSplit(words[i], absl::MaxSplits('=', 1));
      event.fields[field.first] = field.second;
    }
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace mp::internal
