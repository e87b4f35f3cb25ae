// mp::Pool: a pool of worker processes with Python's multiprocessing.Pool interface,
// which keeps working when a worker dies.
//
//   int Double(int x) { return 2 * x; }
//   MP_POOL_TASK(Double);
//
//   absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = 4});
//   absl::StatusOr<std::vector<int>> doubled = pool->Map(Double, std::vector<int>{1, 2, 3});
//   // {2, 4, 6}
//
// Tasks are functions registered with MP_POOL_TASK (pool_task.h); arguments and results
// travel through the ipc/ codec, over shared-memory queues (ipc/byte_queue.h), a chunk
// of tasks per message (internal/wire.h).
//
// Calls: Map and Starmap (ordered results; the first task error fails the call), MapAsync
// (a MapResult handle: Get, GetEach for every task's own result, Wait, Ready, Successful,
// optional callbacks), Imap and ImapUnordered (a ResultStream, results as they arrive),
// Apply and ApplyAsync (one task). `chunksize` 0 chooses like Python (chunksize.h).
//
// Failures, and what you get:
// - A task returns an error status or throws: that task's result is the error, its
//   message prefixed with "task <index> failed in worker <pid>: ". Other tasks run on.
// - A worker ends mid-task, however (SIGKILL, SIGSEGV, _exit, even exit(0) in a task):
//   noticed at once (through its pidfd), the worker is replaced, and the task it was running fails
//   with Aborted, "worker <pid> was killed by SIGKILL while running it" (or "exited with
//   code N"), unless PoolOptions::retries allows running it again (each run counted).
//   Tasks queued behind it go to other workers. Map returns; it never hangs. A process a
//   task fork()s that returns from the task exits there: it never acts as a worker.
// - A worker's answer that does not decode, or names a chunk other than the one it was
//   running: that chunk's tasks fail with DataLoss and the worker is replaced; an answer
//   that does not even say whose it is fails every call with DataLoss (the pool is
//   broken). Never dropped silently.
// - A result that cannot be sent back (larger than PoolOptions::queue_bytes): that task's
//   ResourceExhausted error.
// - An initializer that fails: the pool is broken; pending and later calls fail with
//   FailedPrecondition carrying the initializer's own error, "worker <pid> cannot start:
//   the pool's initializer failed: ..." (Python would restart the worker forever).
// - The parent ends in any way (return, SIGTERM, SIGKILL): the workers are daemons and
//   die with it; destroying a Pool kills and reaps them (Python's `with Pool()` does the
//   same: terminate()).
//
// Thread safety: calls may come from several threads. Callbacks run on the pool's
// manager thread: keep them short, and do not call Terminate() or Join() from them. As
// in Python, a call's callback has returned before its Wait(), Get() or Ready() reports
// the result, so a callback must not wait for its own call.

#ifndef MP_POOL_POOL_H_
#define MP_POOL_POOL_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipc/codec.h"
#include "pool/pool_calls.h"
#include "pool/pool_options.h"
#include "pool/pool_task.h"
#include "pool/results.h"
#include "process/process.h"

namespace mp {
namespace internal {
class PoolCore;  // the engine (internal/pool_core.h), behind PoolCalls
}  // namespace internal

class Pool : public PoolCalls<internal::RegisteredTasks> {
 public:
  // InvalidArgument for negative workers, retries or max_tasks_per_child; FailedPrecondition
  // for an initializer that is not registered; otherwise why a worker could not start.
  static absl::StatusOr<Pool> Create(PoolOptions options = {});

  std::vector<pid_t> WorkerPids() const;

 private:
  explicit Pool(std::unique_ptr<internal::PoolCore> core);
};

}  // namespace mp

#endif  // MP_POOL_POOL_H_
