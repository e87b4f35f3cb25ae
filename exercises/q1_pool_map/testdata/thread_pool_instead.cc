// A wrong answer to exercise Q1 (the grader must fail it): the right list, computed on a
// ThreadPool: threads of the program's own process, not worker processes.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "pool/thread_pool.h"
#include "process/hand_off.h"

int Double(int x) { return 2 * x; }

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  absl::StatusOr<mp::ThreadPool> pool = mp::ThreadPool::Create({.workers = 4});
  if (!pool.ok()) return 1;
  absl::StatusOr<std::vector<int>> doubled = pool->Map(Double, std::vector<int>{1, 2, 3, 4, 5});
  if (!doubled.ok()) return 1;
  std::printf("[%s]\n", absl::StrJoin(*doubled, ", ").c_str());
  return 0;
}
