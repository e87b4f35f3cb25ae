#include "process/life_record.h"

#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mp {
namespace {

// The record's descriptor, and whether to write to it. Switching files (RecordPools)
// dup3()s the new file onto the same descriptor number, so a thread writing a line at
// that moment writes to one file or the other. Stopping closes it, once no line is being
// written: each writer counts itself in before it looks at `recording` and out after
// its write(), and the stopper clears `recording` before it looks at the count (both
// sequentially consistent, so one of them sees the other).
std::atomic<int> record_fd{-1};
std::atomic<bool> recording{false};
std::atomic<int> lines_being_written{0};
std::once_flag environment_looked_at;

absl::Status SwitchRecordTo(const std::string& path) {
  static std::mutex switching;  // two RecordPools calls at once take turns
  std::lock_guard<std::mutex> lock(switching);
  if (path.empty()) {
    recording.store(false);
    while (lines_being_written.load() > 0) std::this_thread::yield();  // one write() at most
    if (const int fd = record_fd.exchange(-1); fd >= 0) close(fd);
    return absl::OkStatus();
  }
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot record pools into ", path, ": ", std::strerror(errno),
                                                   " (check the path and its permissions)"));
  }
  if (const int old = record_fd.load(std::memory_order_acquire); old >= 0) {
    dup3(fd, old, O_CLOEXEC);
    close(fd);
  } else {
    record_fd.store(fd, std::memory_order_release);
  }
  recording.store(true, std::memory_order_release);
  return absl::OkStatus();
}

// MP_POOL_RECORD, looked at once per program image. A fork()ed worker inherits the state
// and the descriptor; an exec()ed one (spawn, forkserver) looks at the variable anew.
void LookAtTheEnvironmentOnce() {
  std::call_once(environment_looked_at, [] {
    // A child of fork() has only the thread that forked: no line of another thread is
    // being written there, whatever the count it copied says.
    pthread_atfork(nullptr, nullptr, [] { lines_being_written.store(0); });
    const char* path = std::getenv(internal::kPoolRecordVariable);
    if (path != nullptr && *path != '\0') (void)SwitchRecordTo(path);
  });
}

}  // namespace

absl::Status RecordPools(const std::string& path) {
  LookAtTheEnvironmentOnce();  // so that the variable, read later, cannot undo this call
  absl::Status switched = SwitchRecordTo(path);
  if (!switched.ok()) return switched;
  if (path.empty() ? unsetenv(internal::kPoolRecordVariable) != 0
                   : setenv(internal::kPoolRecordVariable, path.c_str(), 1) != 0) {
    return absl::InternalError(absl::StrCat("cannot set ", internal::kPoolRecordVariable, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace mp

namespace mp::internal {

bool PoolRecordEnabled() {
  LookAtTheEnvironmentOnce();
  return recording.load(std::memory_order_acquire);
}

void RecordPoolEvent(absl::string_view event) {
  if (!PoolRecordEnabled()) return;
  const std::string line = absl::StrCat(getpid(), " ", event, " us=", PoolRecordMicros(), "\n");
  lines_being_written.fetch_add(1);  // before looking again: RecordPools("") waits for us
  if (recording.load()) {
    // One write() per line: with O_APPEND, lines of concurrent writers do not interleave.
    (void)!write(record_fd.load(), line.data(), line.size());
  }
  lines_being_written.fetch_sub(1);
}

int64_t PoolRecordMicros() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

void RecordPoolJoin(absl::string_view pool, const absl::Status& joined, int64_t start_us) {
  if (!PoolRecordEnabled()) return;
  RecordPoolEvent(absl::StrCat("join pool=", pool, " status=", absl::StatusCodeToString(joined.code()), " tid=",
                               gettid(), start_us > 0 ? absl::StrCat(" start_us=", start_us) : ""));
}

void RecordPoolWait(absl::string_view pool, int64_t start_us, bool collecting, bool timed_out) {
  RecordPoolEvent(absl::StrCat("wait pool=", pool, " tid=", gettid(), " start_us=", start_us,
                               collecting ? " collecting=1" : "", timed_out ? " timed_out=1" : ""));
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
