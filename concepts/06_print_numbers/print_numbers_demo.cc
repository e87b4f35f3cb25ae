// Q6: how do N processes each print a different number?
//
//   bazel run //concepts/06_print_numbers:demo -- --processes=8
//
// The parent starts N children with fork(); child i prints "Process i: Printing i" and
// exits; the parent waits for every child, then prints "All processes have completed."
// Run it a few times: the children's lines come in a different order each time, because
// the scheduler, not the program, decides who runs first. The last line never moves.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, processes, 4, "how many child processes to start (1 to 1000)");
ABSL_FLAG(bool, show_the_trap, false,
          "print a greeting with printf and fork without flushing, and let children leave with "
          "exit(): run with stdout piped (| cat) and count the greetings");

namespace {

// What child `number` does. write(2) of one whole line is a single system call, so lines
// from different children never interleave mid-line (POSIX makes writes of up to
// PIPE_BUF bytes to a pipe atomic). _exit() ends the child without running the parent's
// exit handlers or flushing a copy of the parent's stdio buffer.
[[noreturn]] void RunChild(int number, bool show_the_trap) {
  const std::string line = absl::StrCat("Process ", number, ": Printing ", number, "\n");
  const bool written = write(STDOUT_FILENO, line.data(), line.size()) ==
                       static_cast<ssize_t>(line.size());
  // exit() flushes this child's copy of the parent's unflushed buffer: the trap.
  if (show_the_trap) std::exit(written ? 0 : 1);
  _exit(written ? 0 : 1);
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Starts N processes that each print their own number.");
  const int processes = absl::GetFlag(FLAGS_processes);
  if (processes < 1 || processes > 1000) mp::cli::ExitBadUsage("--processes must be 1 to 1000");

  const bool show_the_trap = absl::GetFlag(FLAGS_show_the_trap);
  if (show_the_trap) std::printf("Starting %d processes.\n", processes);

  // Anything still in our stdio buffer would be copied into every child by fork() and
  // could be printed N+1 times. Flush before forking (unless showing what happens if not).
  if (!show_the_trap) std::fflush(stdout);

  std::vector<pid_t> children;
  for (int number = 1; number <= processes; ++number) {
    const pid_t pid = fork();
    if (pid == 0) RunChild(number, show_the_trap);
    if (pid < 0) {
      std::perror("fork");
      break;  // still wait for the children already started
    }
    children.push_back(pid);
  }

  // Wait for (reap) every child, so none is left a zombie, and check each succeeded.
  bool all_succeeded = static_cast<int>(children.size()) == processes;
  for (pid_t child : children) {
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    all_succeeded = all_succeeded && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!all_succeeded) {
    std::fprintf(stderr, "Some processes failed.\n");
    return 1;
  }
  std::printf("All processes have completed.\n");
  return 0;
}
