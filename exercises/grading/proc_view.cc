#include "exercises/grading/proc_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/unique_fd.h"

namespace mp::grading {
namespace {

// O_RDONLY, O_WRONLY or O_RDWR of descriptor `fd` of `pid`, from its fdinfo.
int AccessModeOf(pid_t pid, long fd) {
  const std::string info = ReadSmallFile(absl::StrCat("/proc/", pid, "/fdinfo/", fd));
  for (absl::string_view line : absl::StrSplit(info, '\n')) {
    if (!absl::ConsumePrefix(&line, "flags:")) continue;
    // fdinfo prints the flags in octal.
    const unsigned long flags =
        std::strtoul(std::string(absl::StripAsciiWhitespace(line)).c_str(), nullptr, 8);
    return static_cast<int>(flags & O_ACCMODE);
  }
  return -1;
}

}  // namespace

std::string ReadSmallFile(const std::string& path) {
  internal::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text;
  char buffer[4096];
  for (ssize_t got; fd.valid() && (got = read(fd.get(), buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

std::string TargetOf(pid_t pid, long fd) {
  char target[256];
  const ssize_t length =
      readlink(absl::StrCat("/proc/", pid, "/fd/", fd).c_str(), target, sizeof target - 1);
  return length > 0 ? std::string(target, static_cast<size_t>(length)) : "";
}

std::vector<PipeEnd> PipeEndsOf(pid_t pid) {
  std::vector<PipeEnd> ends;
  DIR* directory = opendir(absl::StrCat("/proc/", pid, "/fd").c_str());
  if (directory == nullptr) return ends;
  while (const dirent* entry = readdir(directory)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd)) continue;  // "." and ".."
    std::string target = TargetOf(pid, fd);
    if (target.rfind("pipe:", 0) != 0) continue;
    ends.push_back({fd, std::move(target), AccessModeOf(pid, fd) == O_WRONLY});
  }
  closedir(directory);
  std::sort(ends.begin(), ends.end(), [](const PipeEnd& a, const PipeEnd& b) { return a.fd < b.fd; });
  return ends;
}

std::optional<BlockedSyscall> BlockedIn(pid_t pid) {
  const std::string line = ReadSmallFile(absl::StrCat("/proc/", pid, "/syscall"));
  // "<number> <arg1> ... <arg6> <sp> <pc>" while blocked; "running" or "-1 ..." otherwise.
  std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  BlockedSyscall blocked;
  if (words.size() < 3 || !absl::SimpleAtoi(words[0], &blocked.number) || blocked.number < 0 ||
      !absl::SimpleHexAtoi(words[1], &blocked.first_arg) ||
      !absl::SimpleHexAtoi(words[2], &blocked.second_arg)) {
    return std::nullopt;
  }
  return blocked;
}

std::optional<pid_t> ChildWaitedFor(pid_t pid) {
  const std::optional<BlockedSyscall> blocked = BlockedIn(pid);
  if (!blocked) return std::nullopt;
#ifdef SYS_wait4
  if (blocked->number == SYS_wait4) {
    // wait4(pid, ...): the kernel prints the int as an unsigned word, -1 as 0xffffffff.
    const auto target = static_cast<pid_t>(static_cast<int32_t>(blocked->first_arg));
    return target > 0 ? target : -1;
  }
#endif
  if (blocked->number == SYS_waitid) {
    // waitid(idtype, id, ...)
    return blocked->first_arg == P_PID ? static_cast<pid_t>(blocked->second_arg) : -1;
  }
  return std::nullopt;
}

}  // namespace mp::grading
