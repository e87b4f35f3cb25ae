// A wrong answer to exercise Q3 (the grader must fail it): the parent sleeps instead of
// waiting for the child. The output is usually right, but the child is never reaped.
#include <unistd.h>

#include <cstdio>

int main() {
  std::fflush(stdout);
  if (fork() == 0) {
    std::printf("This is a process!\n");
    std::fflush(stdout);
    _exit(0);
  }
  usleep(200 * 1000);  // "long enough" for the child
  std::printf("The process has completed.\n");
  return 0;
}
