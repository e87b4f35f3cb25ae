// RunObserved(): see run_program.h.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"
#include "exercises/grading/attributed_output.h"
#include "exercises/grading/hang_report.h"
#include "exercises/grading/run_program.h"
#include "process/exit_code.h"
#include "process/testing/leak_check.h"

namespace mp::grading {
namespace {

// The children of `pid`, sorted into running and unreaped (zombies).
void ListChildren(pid_t pid, ObservedRun& observed) {
  for (pid_t child : test::ChildrenOf(pid)) {
    const std::optional<char> state = test::ProcessState(child);
    if (!state) continue;  // reaped since
    (*state == 'Z' ? observed.unreaped_at_exit : observed.running_at_exit).push_back(child);
  }
}

// How many children `pid` has now, running or not yet reaped.
size_t CountChildren(pid_t pid) {
  ObservedRun counted;
  ListChildren(pid, counted);
  return counted.running_at_exit.size() + counted.unreaped_at_exit.size();
}

// This process's environment, with leak checking off: LeakSanitizer stops the world with
// ptrace, which it cannot while we trace the program. Built before fork(): between
// fork() and exec() a child of a threaded process may only make async-signal-safe calls,
// and setenv() is not one.
std::vector<std::string> EnvironmentWithoutLeakChecks() {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "ASAN_OPTIONS=", 13) != 0) environment.push_back(*entry);
  }
  environment.push_back("ASAN_OPTIONS=detect_leaks=0");
  return environment;
}

// argv/envp for execve(): pointers into `strings`, ending in nullptr.
std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// In the forked child: becomes the program, traced by its parent from its first step.
[[noreturn]] void BecomeTracedProgram(char* const* argv, char* const* envp, int stdout_fd) {
  const int null = open("/dev/null", O_RDONLY);
  if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(stdout_fd, STDOUT_FILENO) < 0) _exit(127);
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(127);
  raise(SIGSTOP);  // wait here until the tracer has set its options
  execve(argv[0], argv, envp);
  _exit(127);
}

// The tracer's loop, on the thread that forked the program (ptrace requests must come
// from it): continues the program through every stop, and lists its children at its
// exit stop. Returns the program's exit code.
absl::StatusOr<int> TraceUntilExit(pid_t pid, ObservedRun& observed) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
    return absl::InternalError("the program did not stop for its tracer");
  }
  ptrace(PTRACE_SETOPTIONS, pid, nullptr,
         PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK | PTRACE_O_EXITKILL);
  int deliver = 0;
  while (true) {
    if (ptrace(PTRACE_CONT, pid, nullptr, deliver) != 0 && errno != ESRCH) {
      return absl::ErrnoToStatus(errno, "ptrace(PTRACE_CONT)");
    }
    deliver = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (got != pid) return absl::ErrnoToStatus(errno, "waitpid");
    if (WIFEXITED(status) || WIFSIGNALED(status)) return ExitCodeFromWaitStatus(status);
    const int event = status >> 16;
    if (event == PTRACE_EVENT_EXIT) {
      ListChildren(pid, observed);
    } else if (event == PTRACE_EVENT_FORK) {
      ++observed.forks;
      if (observed.first_fork_after_a_reap == 0 &&
          CountChildren(pid) < static_cast<size_t>(observed.forks)) {
        observed.first_fork_after_a_reap = observed.forks;
      }
      // The new child starts traced, stopped: let it go untraced.
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, pid, nullptr, &child);
      int child_status = 0;
      while (waitpid(static_cast<pid_t>(child), &child_status, __WALL) < 0 && errno == EINTR) {
      }
      ptrace(PTRACE_DETACH, static_cast<pid_t>(child), nullptr, 0);
    } else if (event == 0 && WSTOPSIG(status) != SIGTRAP) {
      deliver = WSTOPSIG(status);  // a signal for the program: hand it on
    }
  }
}

}  // namespace

absl::StatusOr<ObservedRun> RunObserved(const std::string& program,
                                        const std::vector<std::string>& args,
                                        absl::Duration timeout) {
  absl::StatusOr<AttributedSocket> socket = MakeAttributedSocket();
  if (!socket.ok()) return socket.status();
  internal::UniqueFd& reader = socket->reader;
  internal::UniqueFd& writer = socket->writer;

  std::vector<std::string> argv_strings = {program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  const std::vector<char*> argv = PointersTo(argv_strings);
  std::vector<std::string> environment = EnvironmentWithoutLeakChecks();
  const std::vector<char*> envp = PointersTo(environment);

  timeout = WithinTestTimeout(timeout);
  ObservedRun observed;
  std::promise<pid_t> started;
  std::promise<absl::StatusOr<int>> ended;
  std::thread tracer([&] {
    const pid_t pid = fork();
    if (pid == 0) BecomeTracedProgram(argv.data(), envp.data(), writer.get());
    started.set_value(pid);
    ended.set_value(pid < 0 ? absl::ErrnoToStatus(errno, "fork") : TraceUntilExit(pid, observed));
  });
  const pid_t pid = started.get_future().get();
  std::future<absl::StatusOr<int>> exit_code = ended.get_future();
  writer.Reset();  // from now on only the program (and its children) hold a write end
  observed.run.pid = pid;

  const absl::Time deadline = absl::Now() + timeout;
  bool program_ended = false;
  while (pid > 0 && absl::Now() < deadline) {
    // Once the program has ended, only what is already written is read: a child it left
    // running may keep the socket open, and is reported, not waited for.
    program_ended = program_ended ||
                    exit_code.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    pollfd ready = {reader.get(), POLLIN, 0};
    if (poll(&ready, 1, program_ended ? 0 : 20) <= 0) {
      if (program_ended) break;
      continue;
    }
    const ssize_t got = ReadAttributed(reader.get(), observed.run.writes);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // every writer closed its stdout
  }
  const bool timed_out =
      pid > 0 && exit_code.wait_until(absl::ToChronoTime(deadline)) != std::future_status::ready;
  std::string hang;
  if (timed_out) {
    hang = StillRunning(pid, timeout);
    kill(pid, SIGKILL);  // the tracer's waitpid() then returns
  }
  tracer.join();
  for (pid_t child : observed.running_at_exit) kill(child, SIGKILL);
  if (timed_out) return absl::DeadlineExceededError(hang);
  absl::StatusOr<int> code = exit_code.get();
  if (!code.ok()) return code.status();
  observed.run.exit_code = *code;
  return observed;
}

}  // namespace mp::grading
