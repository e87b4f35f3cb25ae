// mp::ThreadPool: Pool's interface on threads of this process (Python's
// multiprocessing.pool.ThreadPool), so that a lesson or a benchmark can run identical code
// on processes and on threads.
//
//   absl::StatusOr<mp::ThreadPool> pool = mp::ThreadPool::Create({.workers = 4});
//   int factor = 3;
//   absl::StatusOr<std::vector<int>> tripled =
//       pool->Map([&](int x) { return factor * x; }, std::vector<int>{1, 2});   // {3, 6}
//
// Differences from Pool: tasks may be any callable, closures included (nothing crosses a
// process boundary); a task that crashes takes the whole process with it; and Terminate()
// cancels the tasks not yet started but cannot stop running ones (threads cannot be
// killed). Both return the same handles (results.h); a ThreadPool's results are never
// encoded, since they never leave the process.
//
// Task errors: a returned error status or an exception is that task's result, with its
// message prefixed "task <index> failed in a pool thread: ".
//
// The calls are Pool's own (pool_calls.h), over an engine of threads
// (internal/thread_pool_core.h).

#ifndef MP_POOL_THREAD_POOL_H_
#define MP_POOL_THREAD_POOL_H_

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/status/statusor.h"
#include "pool/internal/engine.h"
#include "pool/pool_calls.h"
#include "pool/results.h"

namespace mp {

struct ThreadPoolOptions {
  // 0: one per CPU this process may use.
  int workers = 0;
};

class ThreadPool : public PoolCalls<internal::CallablesHere> {
 public:
  // What the caller receives from `F` applied to a tuple (Starmap).
  template <typename F, typename Tuple>
  struct StarResult {
    using type = typename internal::CallablesHere::template ResultOfApplying<F, Tuple>;
  };

  // InvalidArgument for negative workers.
  static absl::StatusOr<ThreadPool> Create(ThreadPoolOptions options = {});

 private:
  explicit ThreadPool(std::unique_ptr<internal::Engine> engine) : PoolCalls(std::move(engine)) {}
};

}  // namespace mp

#endif  // MP_POOL_THREAD_POOL_H_
