// A wrong answer to exercise Q3 (the grader must fail it): the child prints its line
// but does not _exit(), so it goes on into the parent's code and prints the parent's
// line too.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main() {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    std::printf("This is a process!\n");
    std::fflush(stdout);
  }
  waitpid(child, nullptr, 0);
  std::printf("The process has completed.\n");
  return 0;
}
