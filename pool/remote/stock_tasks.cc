#include "pool/remote/stock_tasks.h"

#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pool/pool_task.h"

namespace mp::remote {

int64_t Square(int64_t x) { return x * x; }

int64_t CountPrimes(int64_t first, int64_t count) {
  int64_t primes = 0;
  for (int64_t n = first; n < first + count; ++n) {
    bool prime = n >= 2;
    for (int64_t d = 2; prime && d * d <= n; ++d) prime = n % d != 0;
    primes += prime ? 1 : 0;
  }
  return primes;
}

// getppid(): a worker's parent is its host's fork server, one per host, so the pid tells
// which host ran a task.
int64_t HostPid(int64_t /*unused*/) { return getppid(); }

int64_t SleepMillis(int64_t millis) {
  absl::SleepFor(absl::Milliseconds(millis));
  return millis;
}

std::string Echo(std::string text) { return text; }

int64_t NonNegativeOrThrow(int64_t x) {
  if (x < 0) throw std::out_of_range("negative: " + std::to_string(x));
  return x;
}

MP_POOL_TASK(Square);
MP_POOL_TASK(CountPrimes);
MP_POOL_TASK(HostPid);
MP_POOL_TASK(SleepMillis);
MP_POOL_TASK(Echo);
MP_POOL_TASK(NonNegativeOrThrow);

}  // namespace mp::remote
