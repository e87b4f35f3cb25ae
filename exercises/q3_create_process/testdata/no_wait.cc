// A wrong answer to exercise Q3 (the grader must fail it): the parent does not wait at
// all. On a quiet machine the child may still print first.
#include <unistd.h>

#include <cstdio>

int main() {
  std::fflush(stdout);
  if (fork() == 0) {
    std::printf("This is a process!\n");
    std::fflush(stdout);
    _exit(0);
  }
  std::printf("The process has completed.\n");
  return 0;
}
