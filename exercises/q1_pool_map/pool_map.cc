// Exercise Q1: double [1, 2, 3, 4, 5] with a pool of 4 worker processes.
//
// Goal (see README.md): print exactly   [2, 4, 6, 8, 10]
// with the doubling done by mp::Pool's worker processes.
//
// Run it:    ./bazelw run //exercises/q1_pool_map
// Grade it:  ./bazelw test //exercises/q1_pool_map:grade

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "base/cli/parse_flags.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "process/hand_off.h"

int Double(int x) {
  // TODO(student): return twice x.
  return x;
}
// Registers Double by name, so that every worker process can find it.
MP_POOL_TASK(Double);

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "Doubles [1, 2, 3, 4, 5] with a pool of 4 processes.");
  const std::vector<int> numbers = {1, 2, 3, 4, 5};
  std::vector<int> doubled;

  // TODO(student): create a pool of 4 workers with mp::Pool::Create({.workers = 4}),
  // then fill `doubled` with pool->Map(Double, numbers). Both return absl::StatusOr:
  // check .ok(), print the status on stderr and return 1 if it is not.

  std::printf("[%s]\n", absl::StrJoin(doubled, ", ").c_str());
  return 0;
}
