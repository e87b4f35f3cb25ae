// A wrong answer to exercise Q3 (the grader must fail it): no process at all; the
// program prints both lines itself.
#include <cstdio>

int main() {
  std::printf("This is a process!\n");
  std::printf("The process has completed.\n");
  return 0;
}
