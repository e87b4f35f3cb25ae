// A wrong Q6 answer, kept to prove the grader rejects it: the parent printf()s each line
// and then forks a child that leaves with exit(). Through a pipe the lines wait in the
// parent's buffer, fork() copies the buffer into every child, and each child's exit()
// flushes its copy: lines come out many times, and from the wrong process.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main() {
  for (int number = 1; number <= 4; ++number) {
    std::printf("Process %d: Printing %d\n", number, number);
    if (fork() == 0) std::exit(0);  // the bug: exit() flushes the copied buffer
  }
  while (wait(nullptr) > 0) {
  }
  std::printf("All processes have completed.\n");
  return 0;
}
