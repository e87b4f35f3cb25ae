// Reference solution for exercise Q6: N processes each print their own number.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, processes, 4, "how many child processes to start (1 to 1000)");

// What child `number` does, and all it does: print, flush, and leave with _exit(), which
// skips the parent's exit handlers and the copy of its stdio buffers this child inherited.
[[noreturn]] void RunChild(int number) {
  std::printf("Process %d: Printing %d\n", number, number);
  const bool flushed = std::fflush(stdout) == 0;
  _exit(flushed ? 0 : 1);
}

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Starts N processes that each print their own number.");
  const int processes = absl::GetFlag(FLAGS_processes);
  // The cap keeps a typo (--processes=100000) from filling the process table.
  if (processes < 1 || processes > 1000) mp::cli::ExitBadUsage("--processes must be 1 to 1000");

  // With stdout a pipe, printf() only fills a buffer. Anything in it when fork() runs is
  // copied into the child and printed twice. Empty it first.
  std::fflush(stdout);

  std::vector<pid_t> children;
  for (int number = 1; number <= processes; ++number) {
    const pid_t pid = fork();
    if (pid == 0) RunChild(number);
    if (pid < 0) {
      std::perror("fork");
      break;  // still wait for those already started
    }
    children.push_back(pid);
  }

  // Reap every child (no zombies) and check that each succeeded. The children finish in
  // any order; waiting for them in start order is fine, each waitpid() returns once that
  // one has ended.
  bool all_succeeded = static_cast<int>(children.size()) == processes;
  for (const pid_t child : children) {
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
