// Reference solution for exercise Q3: create a process, wait for it, report completion.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/cli/parse_flags.h"

int main(int argc, char** argv) {
  // It takes no flags: anything else on the command line is a mistake (exit 2).
  mp::cli::ParseFlags(argc, argv, "Creates a process, waits for it, and says so.");

  // fork() copies unflushed stdio buffers into the child. Nothing is buffered yet, but
  // flushing first is the habit that keeps output from being printed twice.
  std::fflush(stdout);

  const pid_t child = fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  if (child == 0) {
    // In the child. Flush our own line, then _exit(): plain exit() would also run the
    // handlers and flush the buffers this process inherited from the parent.
    std::printf("This is a process!\n");
    std::fflush(stdout);
    _exit(0);
  }

  // In the parent: waitpid() blocks until the child ends, and reaps it (no zombie).
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      std::perror("waitpid");
      return 1;
    }
  }
  // Python's p.is_alive() is false once join() has returned; so it is here.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    std::printf("The process has completed.\n");
    return 0;
  }
  std::fprintf(stderr, "the child process failed\n");
  return 1;
}
