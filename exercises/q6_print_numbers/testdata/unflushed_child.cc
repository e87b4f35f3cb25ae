// A wrong Q6 answer, kept to prove the grader rejects it: each child printf()s its line
// and leaves with _exit(), which does not flush stdio. On a terminal stdout is line
// buffered and it looks right; through a pipe every child's line is lost.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main() {
  for (int number = 1; number <= 4; ++number) {
    if (fork() == 0) {
      std::printf("Process %d: Printing %d\n", number, number);
      _exit(0);  // the bug: the line is still in the buffer
    }
  }
  while (wait(nullptr) > 0) {
  }
  std::printf("All processes have completed.\n");
  return 0;
}
