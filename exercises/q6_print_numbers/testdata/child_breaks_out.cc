// A wrong answer to exercise Q6 (the grader must fail it): the child prints its number
// and then `break`s out of the fork() loop instead of calling _exit(). It goes on into
// the parent's code: waits for children it does not have and prints the final line too.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, processes, 4, "how many child processes to start (1 to 1000)");

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Starts N processes that each print their own number.");
  const int processes = absl::GetFlag(FLAGS_processes);
  if (processes < 1 || processes > 1000) mp::cli::ExitBadUsage("--processes must be 1 to 1000");
  std::fflush(stdout);
  std::vector<pid_t> children;
  for (int number = 1; number <= processes; ++number) {
    const pid_t pid = fork();
    if (pid == 0) {
      std::printf("Process %d: Printing %d\n", number, number);
      std::fflush(stdout);
      break;  // the mistake: the child leaves the loop, but not the program
    }
    children.push_back(pid);
  }
  for (const pid_t child : children) waitpid(child, nullptr, 0);
  std::printf("All processes have completed.\n");
  return 0;
}
