// A wrong answer to exercise Q3 (the grader must fail it): a thread prints the first
// line. The output is right, but a thread is part of the program's own process.
#include <cstdio>
#include <thread>

int main() {
  std::thread child([] {
    std::printf("This is a process!\n");
    std::fflush(stdout);
  });
  child.join();
  std::printf("The process has completed.\n");
  return 0;
}
