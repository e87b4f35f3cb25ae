// Reference solution for exercise X4: count primes on a pool of processes.

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

  // Many small ranges, not one per worker: a number near `limit` costs more to test than
  // one near 0, so equal ranges are unequal work. With 64 ranges handed out one at a time
  // (chunksize 1), a worker that finishes early takes the next, and all finish together.
  constexpr int64_t kRanges = 64;
  std::vector<Range> ranges;
  for (int64_t i = 0; i < kRanges; ++i) ranges.push_back({limit * i / kRanges, limit * (i + 1) / kRanges});

  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = workers});
  if (!pool.ok()) {
    std::fprintf(stderr, "cannot start the pool: %s\n", pool.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<std::vector<int64_t>> counts = pool->Map(CountPrimes, ranges, {.chunksize = 1});
  if (!counts.ok()) {
    std::fprintf(stderr, "the map failed: %s\n", counts.status().ToString().c_str());
    return 1;
  }
  int64_t primes = 0;
  for (int64_t count : *counts) primes += count;

  std::printf("primes below %" PRId64 ": %" PRId64 "\n", limit, primes);
  return 0;
}
