// Lesson 3b's demo: fork, exec and wait by hand, one experiment each (by_hand.h).

#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "absl/status/statusor.h"
#include "base/cli/parse_flags.h"
#include "concepts/03b_fork_exec_wait/by_hand.h"

namespace {

using mp::concepts::WaitStatus;

template <typename T>
T OrExit(absl::StatusOr<T> value, const char* what) {
  if (!value.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, value.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(value);
}

std::string Describe(const WaitStatus& status) {
  if (status.exited) return "WIFEXITED, WEXITSTATUS = " + std::to_string(status.exit_status);
  if (status.signaled) {
    return "WIFSIGNALED, WTERMSIG = " + std::to_string(status.term_signal) + " (SIG" +
           sigabbrev_np(status.term_signal) + ")";
  }
  return "neither exited nor signaled";
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "fork, exec and wait by hand: the system calls under mp::Process.");

  std::printf("1. fork() returns twice\n");
  const auto two = OrExit(mp::concepts::ForkReturnsTwice(), "fork");
  std::printf("   in the parent: fork returned %d (the child's pid)\n", two.in_parent);
  std::printf("   fork returned %d in the child, whose getpid() is %d and getppid() %d (us)\n\n",
              two.in_child, two.child_getpid, two.child_getppid);

  std::printf("2. exec replaces the program and keeps the process\n");
  const auto shell = OrExit(mp::concepts::ForkAndExec({"/bin/sh", "-c", "echo $$"}, {}), "exec");
  std::printf("   fork returned %d; then /bin/sh -c 'echo $$' printed %s", shell.forked,
              shell.output.c_str());
  const auto env = OrExit(mp::concepts::ForkAndExec({"/usr/bin/env"}, {"COURSE=lesson-3b"}), "exec");
  std::printf("   /usr/bin/env, given only COURSE=lesson-3b, printed: %s", env.output.c_str());
  const auto missing = OrExit(mp::concepts::ForkAndExec({"/no/such/program"}, {}), "exec");
  std::printf("   exec of /no/such/program returned; the child printed '%s' and gave %s\n\n",
              missing.output.c_str(), Describe(missing.status).c_str());

  std::printf("3. waitpid() and the status macros\n");
  std::printf("   _exit(3): %s\n", Describe(OrExit(mp::concepts::ExitWith(3), "exit")).c_str());
  std::printf("   SIGABRT:  %s\n", Describe(OrExit(mp::concepts::DieBySignal(SIGABRT), "abort")).c_str());
  std::printf("   SIGKILL:  %s\n\n", Describe(OrExit(mp::concepts::DieBySignal(SIGKILL), "kill")).c_str());

  std::printf("4. Exit codes are 8 bits: ");
  for (int code : {256, -1, 300}) {
    std::printf("_exit(%d) -> %d%s", code, OrExit(mp::concepts::ExitWith(code), "exit").exit_status,
                code == 300 ? "\n\n" : ", ");
  }

  std::printf("5. A line left in a stdio buffer when fork() copies the process\n");
  for (bool with_exit : {true, false}) {
    const std::string written = OrExit(mp::concepts::BufferedLineThenFork(with_exit), "fork");
    int lines = 0;
    for (char c : written) lines += c == '\n';
    std::printf("   the child ends with %s: the line was written %d time(s)\n",
                with_exit ? "exit() " : "_exit()", lines);
  }
  std::printf("\n6. A signal handled while waitpid() blocks\n");
  for (bool restart : {false, true}) {
    std::printf("   handler %s SA_RESTART: waitpid() failed with EINTR %d time(s), then collected the child\n",
                restart ? "with   " : "without", OrExit(mp::concepts::InterruptedWaitpid(restart), "waitpid"));
  }
  std::printf("\n7. fork() can fail\n");
  const int error = OrExit(mp::concepts::ForkWhereNoProcessMayStart(), "fork");
  std::printf("   where no process may start, fork() returned -1 with errno %s (%s)\n",
              error == 0 ? "(none: it succeeded)" : strerrorname_np(error), std::strerror(error));
  return 0;
}
