// A wrong answer to exercise Q1 (the grader must fail it): a pool of 4 is created, but
// the doubling is a loop in main(): the workers never run a task.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "pool/thread_pool.h"
#include "process/hand_off.h"

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = 4});
  if (!pool.ok()) return 1;
  std::vector<int> doubled;
  for (int number : {1, 2, 3, 4, 5}) doubled.push_back(2 * number);
  std::printf("[%s]\n", absl::StrJoin(doubled, ", ").c_str());
  return 0;
}
