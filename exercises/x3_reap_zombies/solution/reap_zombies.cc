// Reference solution for exercise X3: reap every child, leave no zombie.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, children, 5, "children to start (1 to 100)");

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Starts children and reaps them all.");
  const int children = absl::GetFlag(FLAGS_children);
  if (children < 1 || children > 100) mp::cli::ExitBadUsage("--children must be 1 to 100");

  std::fflush(stdout);
  for (int i = 1; i <= children; ++i) {
    const pid_t pid = fork();
    if (pid == 0) _exit(i);  // the child's whole life: exit with status i
    if (pid < 0) std::perror("fork");
  }

  int reaped = 0;
  int status_sum = 0;
  // An exited child stays in the process table (a zombie: state Z in ps) until its
  // parent collects its exit status. waitpid(-1, ...) collects any one child, in the
  // order they end; it fails with ECHILD once none is left.
  while (true) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: every child has been reaped
    }
    ++reaped;
    if (WIFEXITED(status)) status_sum += WEXITSTATUS(status);
  }

  std::printf("reaped %d children\nexit statuses sum: %d\nready\n", reaped, status_sum);
  std::fflush(stdout);
  // Stay alive until stdin closes: a zombie only exists while its parent lives.
  char byte;
  while (read(STDIN_FILENO, &byte, 1) > 0) {
  }
  return 0;
}
