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
#include "absl/time/clock.h"
#include "base/unique_fd.h"
#include "process/testing/leak_check.h"

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

namespace {

// "S 12 3": the state letter and both context-switch counts, or "" once `pid` has gone.
std::string StateAndSwitches(pid_t pid) {
  const std::string status = ReadSmallFile(absl::StrCat("/proc/", pid, "/status"));
  std::string state;
  std::string switches;
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (absl::ConsumePrefix(&line, "State:")) state = std::string(absl::StripAsciiWhitespace(line)).substr(0, 1);
    if (absl::ConsumePrefix(&line, "voluntary_ctxt_switches:") ||
        absl::ConsumePrefix(&line, "nonvoluntary_ctxt_switches:")) {
      absl::StrAppend(&switches, " ", absl::StripAsciiWhitespace(line));
    }
  }
  return state.empty() ? "" : state + switches;
}

// Whether `blocked` ends by itself when its time runs out (see InTimedWait).
bool TimedWait(const BlockedSyscall& blocked) {
  const unsigned long* args = blocked.args;
  switch (blocked.number) {
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
      return true;
#ifdef SYS_poll
    case SYS_poll:
      return static_cast<int32_t>(args[2]) >= 0;
#endif
    case SYS_ppoll:
      return args[2] != 0;
#ifdef SYS_select
    case SYS_select:
#endif
    case SYS_pselect6:
      return args[4] != 0;
#ifdef SYS_epoll_wait
    case SYS_epoll_wait:
#endif
    case SYS_epoll_pwait:
      return static_cast<int32_t>(args[3]) >= 0;
    case SYS_futex:
      return args[3] != 0;
    default:
      return false;
  }
}

// Whom a blocked wait waits for (see ChildWaitedFor).
std::optional<pid_t> WaitTarget(const BlockedSyscall& blocked) {
#ifdef SYS_wait4
  if (blocked.number == SYS_wait4) {
    // wait4(pid, ...): the kernel prints the int as an unsigned word, -1 as 0xffffffff.
    const auto target = static_cast<pid_t>(static_cast<int32_t>(blocked.args[0]));
    return target > 0 ? target : -1;
  }
#endif
  if (blocked.number == SYS_waitid) {
    // waitid(idtype, id, ...)
    return blocked.args[0] == P_PID ? static_cast<pid_t>(blocked.args[1]) : -1;
  }
  return std::nullopt;
}

// Whether `pid`, blocked in `blocked`, is about to return anyway: waiting for a child
// that has ended, or reading a pipe no process among `pids` can write to any more.
bool AboutToReturn(pid_t pid, const BlockedSyscall& blocked, const std::vector<pid_t>& pids) {
  if (const std::optional<pid_t> waited = WaitTarget(blocked)) {
    for (pid_t child : test::ChildrenOf(pid)) {
      if ((*waited == -1 || *waited == child) && test::ProcessState(child) == 'Z') return true;
    }
    return false;
  }
  if (blocked.number != SYS_read) return false;
  const std::string pipe = TargetOf(pid, static_cast<long>(blocked.args[0]));
  if (pipe.rfind("pipe:", 0) != 0) return false;
  for (pid_t other : pids) {
    for (const PipeEnd& end : PipeEndsOf(other)) {
      if (end.pipe == pipe && end.writes) return false;
    }
  }
  return true;  // no writer among them (a writer outside them is not ours to know)
}

// AllStuck's two looks; when they say stuck, what was seen (each pid's state, switch
// counts and call), so that StallDetector can tell one stop from the next without
// reading /proc again.
std::optional<std::string> StuckLook(const std::vector<pid_t>& pids) {
  std::vector<std::string> first;
  std::string look;
  for (pid_t pid : pids) {
    first.push_back(StateAndSwitches(pid));
    if (first.back().rfind("S ", 0) != 0) return std::nullopt;
    // Asleep outside a system call (/proc says "-1"): nothing here to end it either.
    const std::optional<BlockedSyscall> blocked = BlockedIn(pid);
    if (blocked && (TimedWait(*blocked) || AboutToReturn(pid, *blocked, pids))) return std::nullopt;
    absl::StrAppend(&look, pid, " ", first.back());
    if (blocked) {
      absl::StrAppend(&look, " ", blocked->number);
      for (unsigned long arg : blocked->args) absl::StrAppend(&look, " ", arg);
    }
    look += "\n";
  }
  for (size_t i = 0; i < pids.size(); ++i) {
    if (StateAndSwitches(pids[i]) != first[i]) return std::nullopt;
  }
  return look;
}

}  // namespace

bool AllStuck(const std::vector<pid_t>& pids) { return StuckLook(pids).has_value(); }

bool StallDetector::Stalled(const std::vector<pid_t>& pids) {
  const std::optional<std::string> look = StuckLook(pids);
  if (!look) {
    looks_ = 0;
    return false;
  }
  if (looks_ == 0 || *look != last_) {
    last_ = *look;
    looks_ = 0;
    first_look_ = absl::Now();
  }
  ++looks_;
  return looks_ >= 20 && absl::Now() - first_look_ >= absl::Milliseconds(100);
}

std::optional<BlockedSyscall> BlockedIn(pid_t pid) {
  const std::string line = ReadSmallFile(absl::StrCat("/proc/", pid, "/syscall"));
  // "<number> <arg1> ... <arg6> <sp> <pc>" while blocked; "running" or "-1 ..." otherwise.
  std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  BlockedSyscall blocked;
  if (words.size() < 7 || !absl::SimpleAtoi(words[0], &blocked.number) || blocked.number < 0) {
    return std::nullopt;
  }
  for (int i = 0; i < 6; ++i) {
    if (!absl::SimpleHexAtoi(words[i + 1], &blocked.args[i])) return std::nullopt;
  }
  return blocked;
}


bool InTimedWait(pid_t pid) {
  const std::optional<BlockedSyscall> blocked = BlockedIn(pid);
  return blocked && TimedWait(*blocked);
}

std::optional<pid_t> ChildWaitedFor(pid_t pid) {
  const std::optional<BlockedSyscall> blocked = BlockedIn(pid);
  return blocked ? WaitTarget(*blocked) : std::nullopt;
}

}  // namespace mp::grading
