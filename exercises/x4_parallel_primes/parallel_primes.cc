// Exercise X4: count the primes below --limit on --workers processes, faster than one.
//
// Goal (see README.md): print "primes below L: P", computing P on a pool of --workers
// worker processes, so that 2 workers take clearly less time than 1 on a machine with 2
// free cores.
//
// Run it:    ./bazelw run -c opt //exercises/x4_parallel_primes -- --workers=2
// Grade it:  ./bazelw test //exercises/x4_parallel_primes:grade

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "base/cli/parse_flags.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "process/cpu_count.h"
#include "process/hand_off.h"

ABSL_FLAG(int, workers, 0, "worker processes (0: one per CPU; at most 256)");
ABSL_FLAG(int64_t, limit, 2000000, "count the primes below this (2 to 100000000)");

struct Range {
  int64_t first = 0;  // counts primes in [first, end)
  int64_t end = 0;
};

bool IsPrime(int64_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (int64_t divisor = 3; divisor * divisor <= n; divisor += 2) {
    if (n % divisor == 0) return false;
  }
  return true;
}

int64_t CountPrimes(Range range) {
  int64_t primes = 0;
  for (int64_t n = range.first; n < range.end; ++n) primes += IsPrime(n) ? 1 : 0;
  return primes;
}
MP_POOL_TASK(CountPrimes);

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "Counts primes on a pool of worker processes.");
  int workers = absl::GetFlag(FLAGS_workers);
  const int64_t limit = absl::GetFlag(FLAGS_limit);
  if (workers == 0) workers = mp::CpuCount();
  if (workers < 1 || workers > 256) mp::cli::ExitBadUsage("--workers must be 0 to 256");
  if (limit < 2 || limit > 100000000) mp::cli::ExitBadUsage("--limit must be 2 to 100000000");

  // TODO(student): this counts every number in this one process. Split [0, limit) into
  // many ranges (say 64: larger numbers cost more, so a few big ranges would leave some
  // workers idle at the end), Map CountPrimes over them on an mp::Pool of `workers`
  // workers with chunksize 1, and add up the results.
  const int64_t primes = CountPrimes({0, limit});

  std::printf("primes below %" PRId64 ": %" PRId64 "\n", limit, primes);
  return 0;
}
