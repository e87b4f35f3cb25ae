// Reference solution for exercise Q1: double [1, 2, 3, 4, 5] with a pool of 4 processes.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "base/cli/parse_flags.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "process/hand_off.h"

int Double(int x) { return 2 * x; }
// A worker may be a fresh program (the spawn start method) that cannot be handed a
// function pointer: it finds Double by this registered name, as Python's pickle finds a
// function by its module and name.
MP_POOL_TASK(Double);

int main(int argc, char** argv) {
  // First line of main() in any program with a Pool: a worker started by spawn is this
  // same program, and this call makes it run its task instead of main().
  mp::HandOffToLibrary(argc, argv);
  // It takes no flags: anything else on the command line is a mistake (exit 2).
  mp::cli::ParseFlags(argc, argv, "Doubles [1, 2, 3, 4, 5] with a pool of 4 processes.");

  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = 4});
  if (!pool.ok()) {
    std::fprintf(stderr, "cannot start the pool: %s\n", pool.status().ToString().c_str());
    return 1;
  }
  // Map sends the numbers to the workers in chunks and returns the results in input
  // order, whichever worker finished first.
  absl::StatusOr<std::vector<int>> doubled = pool->Map(Double, std::vector<int>{1, 2, 3, 4, 5});
  if (!doubled.ok()) {
    std::fprintf(stderr, "the map failed: %s\n", doubled.status().ToString().c_str());
    return 1;
  }
  std::printf("[%s]\n", absl::StrJoin(*doubled, ", ").c_str());
  // Leaving main destroys the pool, which ends and reaps its workers (Python's
  // `with Pool(4) as pool:` does the same). Q5 closes and joins it explicitly.
  return 0;
}
