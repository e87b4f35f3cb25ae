// The tasks that the stock worker host (//pool/remote:worker) serves, for the lesson,
// tests and benchmarks. Your own hosts serve your own tasks (see worker_main.cc).

#ifndef MP_POOL_REMOTE_STOCK_TASKS_H_
#define MP_POOL_REMOTE_STOCK_TASKS_H_

#include <cstdint>
#include <string>

namespace mp::remote {

int64_t Square(int64_t x);
// The primes in [first, first + count): CPU-bound work of a size the caller chooses.
int64_t CountPrimes(int64_t first, int64_t count);
// Which host ran a task: the pid of the host's fork server (a worker's parent).
int64_t HostPid(int64_t unused);
// Sleeps `millis` then returns it: a task that takes a while, on any machine.
int64_t SleepMillis(int64_t millis);
std::string Echo(std::string text);
// Returns x, or throws std::out_of_range for a negative x: a task's exception, by type.
int64_t NonNegativeOrThrow(int64_t x);

}  // namespace mp::remote

#endif  // MP_POOL_REMOTE_STOCK_TASKS_H_
