// A wrong answer to exercise Q1 (the grader must fail it): prints the expected list
// without any pool computing it.

#include <cstdio>

int main() {
  std::printf("[2, 4, 6, 8, 10]\n");
  return 0;
}
