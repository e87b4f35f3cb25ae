#include "exercises/grading/hang_report.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "exercises/grading/proc_view.h"
#include "process/testing/leak_check.h"

namespace mp::grading {
namespace {

// The program and every descendant, parents first.
std::vector<pid_t> ProcessTree(pid_t program) {
  std::vector<pid_t> tree;
  std::deque<pid_t> next = {program};
  while (!next.empty() && tree.size() < 64) {
    const pid_t pid = next.front();
    next.pop_front();
    tree.push_back(pid);
    for (pid_t child : test::ChildrenOf(pid)) next.push_back(child);
  }
  return tree;
}

struct Holder {
  pid_t pid;
  long fd;
};

// Who in `tree` holds the write end (`writes`) or the read end of pipe `pipe` ("pipe:[N]").
std::vector<Holder> HoldersOf(const std::vector<pid_t>& tree, const std::string& pipe, bool writes) {
  std::vector<Holder> holders;
  for (pid_t pid : tree) {
    for (const PipeEnd& end : PipeEndsOf(pid)) {
      if (end.pipe == pipe && end.writes == writes) holders.push_back({pid, end.fd});
    }
  }
  return holders;
}

std::string Who(pid_t pid, pid_t program) {
  if (pid == program) return absl::StrCat("your program (", pid, ")");
  for (pid_t child : test::ChildrenOf(program)) {
    if (child == pid) return absl::StrCat("its child ", pid);
  }
  return absl::StrCat("process ", pid);
}

// "its child 12 as fd 4 (the reader itself), your program (11) as fd 6"
std::string ListHolders(const std::vector<Holder>& holders, pid_t program, pid_t reader) {
  std::vector<std::string> named;
  for (const Holder& holder : holders) {
    named.push_back(absl::StrCat(Who(holder.pid, program), " as fd ", holder.fd,
                                 holder.pid == reader ? " (the blocked process itself)" : ""));
  }
  return absl::StrJoin(named, ", ");
}

// One sentence on what `pid` is blocked in.
std::string Describe(pid_t pid, pid_t program, const std::vector<pid_t>& tree) {
  const std::string who = Who(pid, program);
  const std::optional<char> state = test::ProcessState(pid);
  if (!state) return absl::StrCat(who, " had just ended");
  if (*state == 'Z') return absl::StrCat(who, " had ended, but nobody had reaped it (a zombie)");
  const std::optional<BlockedSyscall> blocked = BlockedIn(pid);
  if (!blocked) return absl::StrCat(who, " was running (computing, not blocked)");
  const long number = blocked->number;
  const long fd = static_cast<long>(blocked->args[0]);
  switch (number) {
    case SYS_read:
    case SYS_write: {
      const bool reading = number == SYS_read;
      const std::string target = TargetOf(pid, fd);
      if (target.rfind("pipe:", 0) != 0) {
        return absl::StrCat(who, " was ", reading ? "reading" : "writing", " fd ", fd, " (", target, ")");
      }
      if (reading) {
        const std::vector<Holder> writers = HoldersOf(tree, target, /*writes=*/true);
        return absl::StrCat(
            who, " was blocked reading a pipe (its fd ", fd, "). That pipe's write end was still "
            "open in ", writers.empty() ? "no process" : ListHolders(writers, program, pid),
            ". A read from a pipe returns end of file only once every copy of its write end "
            "is closed, in every process, including copies a process never writes to: close "
            "the ends each process does not use right after fork()");
      }
      const std::vector<Holder> readers = HoldersOf(tree, target, /*writes=*/false);
      return absl::StrCat(who, " was blocked writing a full pipe (its fd ", fd, "); its read end "
                          "was open in ", readers.empty() ? "no process" : ListHolders(readers, program, 0),
                          ", but nobody was reading it");
    }
#ifdef SYS_wait4
    case SYS_wait4:
#endif
    case SYS_waitid:
      return absl::StrCat(who, " was waiting for a child to end (waitpid)");
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
      return absl::StrCat(who, " was sleeping");
    case SYS_futex:
      return absl::StrCat(who, " was waiting on a lock or condition (futex)");
    case SYS_flock:
      return absl::StrCat(who, " was waiting for a file lock (flock: a grader's gate, if this is a task)");
    case SYS_rt_sigtimedwait:
      return absl::StrCat(who, " was waiting for a signal (sigwaitinfo or sigtimedwait)");
#ifdef SYS_poll
    case SYS_poll:
#endif
    case SYS_ppoll:
      return absl::StrCat(who, " was waiting in poll()");
    default:
      return absl::StrCat(who, " was blocked in system call ", number);
  }
}

// When this grader started: the test's clock for TEST_TIMEOUT.
const absl::Time kGraderStart = absl::Now();

}  // namespace

std::string DescribeHang(pid_t program) {
  const std::vector<pid_t> tree = ProcessTree(program);
  std::vector<std::string> sentences;
  for (pid_t pid : tree) sentences.push_back(absl::StrCat("- ", Describe(pid, program, tree), "."));
  return absl::StrCat("What each process was doing then:\n", absl::StrJoin(sentences, "\n"));
}

absl::Duration WithinTestTimeout(absl::Duration timeout) {
  const char* bazel_timeout = std::getenv("TEST_TIMEOUT");
  int seconds = 0;
  if (bazel_timeout == nullptr || !absl::SimpleAtoi(bazel_timeout, &seconds) || seconds <= 0) {
    return timeout;
  }
  // Leave a quarter of Bazel's time (the grader's own work, the report, the exit).
  const absl::Time end = kGraderStart + absl::Seconds(seconds) * 3 / 4;
  return std::max(std::min(timeout, end - absl::Now()), absl::Seconds(1));
}

std::string StillRunning(pid_t program, absl::Duration timeout) {
  return absl::StrCat("the program was still running after ", absl::FormatDuration(timeout),
                      ". ", DescribeHang(program));
}

}  // namespace mp::grading
