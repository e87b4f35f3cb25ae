// A wrong answer to exercise Q3 (the grader must fail it): the child calls _exit()
// without flushing stdout. On a terminal its line shows (line-buffered); into a pipe or
// socket it is lost in the child's stdio buffer.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main() {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    std::printf("This is a process!\n");
    _exit(0);
  }
  waitpid(child, nullptr, 0);
  std::printf("The process has completed.\n");
  return 0;
}
