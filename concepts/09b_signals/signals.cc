#include "concepts/09b_signals/signals.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "concepts/raw_calls.h"
#include "process/exit_code.h"

namespace mp::concepts {
namespace {

volatile sig_atomic_t reaped = 0;
void ReapOne(int) {
  const int saved = errno;  // a handler must leave errno as it found it
  if (waitpid(-1, nullptr, WNOHANG) > 0) reaped = reaped + 1;
  errno = saved;
}
void ReapAll(int) {
  const int saved = errno;
  while (waitpid(-1, nullptr, WNOHANG) > 0) reaped = reaped + 1;
  errno = saved;
}

// A member of the job says which signal reached it by writing one byte to `heard_fd`:
// 2 * its index for SIGINT, 2 * its index + 1 for SIGUSR1.
int heard_fd = -1;
volatile sig_atomic_t member_index = 0;
void SayWhatWasHeard(int signal_number) {
  const int saved = errno;
  const char byte = static_cast<char>(2 * member_index + (signal_number == SIGUSR1 ? 1 : 0));
  (void)!write(heard_fd, &byte, 1);
  errno = saved;
}

// In a member of the job: listen for SIGINT and SIGUSR1, say so on `ready`, then wait.
[[noreturn]] void BeAMember(int index, int ready_fd) {
  member_index = index;
  struct sigaction handler = {};
  handler.sa_handler = SayWhatWasHeard;
  // Each handler blocks the other signal while it runs. Otherwise, with both pending, the
  // kernel sets up SIGINT's handler first and SIGUSR1's on top of it, so SIGUSR1's would
  // run first.
  sigemptyset(&handler.sa_mask);
  sigaddset(&handler.sa_mask, SIGINT);
  sigaddset(&handler.sa_mask, SIGUSR1);
  sigaction(SIGINT, &handler, nullptr);
  sigaction(SIGUSR1, &handler, nullptr);
  const pid_t me = getpid();
  WriteAll(ready_fd, &me, sizeof(me));
  while (true) pause();
}

int self_pipe_write_end = -1;
void WakeTheMainLoop(int) {
  const int saved = errno;
  const char byte = 1;
  (void)!write(self_pipe_write_end, &byte, 1);  // all a handler may safely do here
  errno = saved;
}

}  // namespace

absl::StatusOr<int> ReapAfterFiveChildrenExit(bool reap_in_a_loop) {
  absl::StatusOr<std::array<int, 2>> found = InALab([reap_in_a_loop]() -> std::array<int, 2> {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    struct sigaction handler = {};
    handler.sa_handler = reap_in_a_loop ? ReapAll : ReapOne;
    handler.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &handler, nullptr);
    pid_t children[5];
    for (pid_t& child : children) {
      child = fork();
      if (child == 0) _exit(0);
    }
    // Until each has ended (WNOWAIT: without collecting it), so five SIGCHLDs are sent
    // while blocked: pending together, they are one.
    for (pid_t child : children) {
      siginfo_t info;
      while (waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
      }
    }
    sigprocmask(SIG_UNBLOCK, &chld, nullptr);  // the handler runs before this returns
    const int by_handler = reaped;
    signal(SIGCHLD, SIG_DFL);
    while (waitpid(-1, nullptr, 0) > 0) {
    }  // leave no zombie
    return {by_handler, 0};
  });
  if (!found.ok()) return found.status();
  return (*found)[0];
}

absl::StatusOr<int> CtrlCToAJob(bool one_leaves_the_group) {
  absl::StatusOr<std::array<int, 2>> found = InALab([one_leaves_the_group]() -> std::array<int, 2> {
    prctl(PR_SET_CHILD_SUBREAPER, 1);  // the job's orphaned helpers come back to us
    int ready[2];
    int heard[2];
    if (pipe(ready) != 0 || pipe(heard) != 0) return {-1, 0};
    heard_fd = heard[1];
    const pid_t job = fork();
    if (job == 0) {
      setpgid(0, 0);  // a job of its own, as a shell makes one for each command line
      for (int helper = 1; helper <= 3; ++helper) {
        if (fork() == 0) {
          if (helper == 1 && one_leaves_the_group) setsid();  // as a daemon does
          BeAMember(helper, ready[1]);
        }
      }
      BeAMember(0, ready[1]);
    }
    setpgid(job, job);  // also here, so it holds whichever process runs first
    pid_t members[4];
    for (pid_t& member : members) {
      if (!ReadAll(ready[0], &member, sizeof(member))) return {-1, 0};
    }
    kill(-job, SIGINT);  // Ctrl-C: every process of the terminal's foreground group
    // Then a marker to each, after it: a process that SIGINT reached says so before it
    // says it saw the marker (one writer's bytes keep their order in a pipe; of two
    // pending signals the lower number is delivered first, and each handler blocks the
    // other signal until it returns).
    for (pid_t member : members) kill(member, SIGUSR1);
    int markers = 0;
    int reached = 0;
    while (markers < 4) {
      char byte;
      if (!ReadAll(heard[0], &byte, 1)) return {-1, 0};
      if (byte % 2 == 1) {
        ++markers;
      } else {
        ++reached;
      }
    }
    for (pid_t member : members) kill(member, SIGKILL);
    while (waitpid(-1, nullptr, 0) > 0) {
    }  // the job, and its helpers, orphaned to us
    return {reached, 0};
  });
  if (!found.ok()) return found.status();
  return (*found)[0];
}

absl::StatusOr<int> SendAndSeeHowItEnds(int signal_number, bool catch_it) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == -1) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    int self_pipe[2];
    if (pipe2(self_pipe, O_CLOEXEC) != 0) _exit(90);
    self_pipe_write_end = self_pipe[1];
    if (catch_it) {
      struct sigaction handler = {};
      handler.sa_handler = WakeTheMainLoop;
      sigaction(signal_number, &handler, nullptr);  // fails for SIGKILL: it cannot be caught
    }
    const char byte = 1;
    WriteAll(ready[1], &byte, 1);
    // The main loop: here it only waits for the self-pipe; a real one also polls its
    // sockets and pipes, and learns of the signal the same way, in order.
    pollfd wake = {.fd = self_pipe[0], .events = POLLIN, .revents = 0};
    while (poll(&wake, 1, -1) <= 0) {
    }
    _exit(0);  // finished in order: flushed, closed, cleaned up
  }
  close(ready[1]);
  char byte;
  const bool started = ReadAll(ready[0], &byte, 1);
  close(ready[0]);
  if (started) kill(child, signal_number);
  absl::StatusOr<int> status = WaitForChild(child);
  if (!status.ok()) return status.status();
  if (!started) return absl::InternalError("the child did not start");
  return ExitCodeFromWaitStatus(*status);
}

absl::StatusOr<int> WriteToAClosedPipe(bool ignore_sigpipe) {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == -1) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    signal(SIGPIPE, ignore_sigpipe ? SIG_IGN : SIG_DFL);
    int ends[2];
    if (pipe(ends) != 0) _exit(90);
    close(ends[0]);  // nobody will ever read
    const char byte = 1;
    if (write(ends[1], &byte, 1) < 0) _exit(errno);  // EPIPE, if the signal did not kill us
    _exit(0);
  }
  absl::StatusOr<int> status = WaitForChild(child);
  if (!status.ok()) return status.status();
  return ExitCodeFromWaitStatus(*status);
}

absl::StatusOr<SignalAsData> ReadASignalFromADescriptor() {
  const bool signal_left_unblocked = internal::BugPutBack("signal_left_unblocked");
  absl::StatusOr<std::array<int, 2>> found = InALab([=]() -> std::array<int, 2> {
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    // Not delivered: kept for the descriptor. (Claim 5's counterfactual, a switch of
    // base/put_bug_back.h, leaves it unblocked: its default action ends the lab.)
    if (!signal_left_unblocked) sigprocmask(SIG_BLOCK, &usr1, nullptr);
    const int descriptor = signalfd(-1, &usr1, SFD_CLOEXEC);
    if (descriptor < 0) return {-1, -1};
    const pid_t sender = fork();
    if (sender == 0) {
      kill(getppid(), SIGUSR1);
      _exit(0);
    }
    signalfd_siginfo info = {};
    const bool got = ReadAll(descriptor, &info, sizeof(info));
    close(descriptor);
    waitpid(sender, nullptr, 0);
    return {got ? static_cast<int>(info.ssi_pid) : -1, sender};
  });
  if (!found.ok()) return found.status();
  return SignalAsData{.sender_reported = (*found)[0], .sender_actual = (*found)[1]};
}

absl::StatusOr<bool> OrphanIsAdoptedByTheReaper(bool declare_subreaper) {
  absl::StatusOr<std::array<int, 2>> found = InALab([declare_subreaper]() -> std::array<int, 2> {
    if (declare_subreaper) prctl(PR_SET_CHILD_SUBREAPER, 1);
    int report[2];
    if (pipe(report) != 0) return {-1, 0};
    const pid_t middle = fork();
    if (middle == 0) {
      const pid_t parent = getpid();  // (in here `middle` is 0: fork's return in the child)
      if (fork() == 0) {
        // Until our parent has exited and someone adopted us (a condition, with a
        // deadline, not a guess at how long that takes).
        const absl::Time deadline = absl::Now() + absl::Seconds(60);
        while (getppid() == parent && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
        const pid_t adopted_by = getppid();
        WriteAll(report[1], &adopted_by, sizeof(adopted_by));
        _exit(0);
      }
      _exit(0);  // orphans its child
    }
    close(report[1]);
    waitpid(middle, nullptr, 0);
    pid_t adopted_by = -1;
    ReadAll(report[0], &adopted_by, sizeof(adopted_by));
    if (declare_subreaper) {
      while (waitpid(-1, nullptr, 0) > 0) {
      }  // the orphan is ours to collect now
    }
    return {adopted_by == getpid() ? 1 : 0, 0};
  });
  if (!found.ok()) return found.status();
  return (*found)[0] == 1;
}

}  // namespace mp::concepts
