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
// - A worker dies mid-task (SIGKILL, SIGSEGV, _exit): noticed within about 10 ms, the
//   worker is replaced, and the task it was running fails with Aborted, "worker <pid> was
//   killed by SIGKILL while running it", unless PoolOptions::retries allows running it
//   again. Tasks queued behind it go to other workers. Map returns; it never hangs.
// - A result that cannot be sent back (larger than PoolOptions::queue_bytes): that task's
//   ResourceExhausted error.
// - An initializer that fails: the pool is broken; pending and later calls fail with
//   FailedPrecondition (Python would restart the worker forever).
// - The parent ends in any way (return, SIGTERM, SIGKILL): the workers are daemons and
//   die with it; destroying a Pool kills and reaps them (Python's `with Pool()` does the
//   same: terminate()).
//
// Thread safety: calls may come from several threads. Callbacks run on the pool's
// manager thread: keep them short, and do not call Terminate() or Join() from them.

#ifndef MP_POOL_POOL_H_
#define MP_POOL_POOL_H_

#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipc/codec.h"
#include "pool/chunksize.h"
#include "pool/internal/job.h"
#include "pool/internal/pool_core.h"
#include "pool/pool_task.h"
#include "pool/results.h"
#include "process/process.h"

namespace mp {

// A registered task with its arguments, e.g. for PoolOptions::initializer.
struct PoolCall {
  std::string task_name = {};  // empty if the function was not registered
  std::string encoded_args = {};
  bool given = false;
};

// Call(Setup, 42): `Setup` must be registered with MP_POOL_TASK.
template <typename R, typename... Params, typename... Args>
PoolCall Call(R (*task)(Params...), const Args&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "Call(): wrong number of arguments");
  return {internal::PoolTaskName(task), internal::EncodeAll(std::decay_t<Params>(args)...), true};
}

struct PoolOptions {
  // 0: one per CPU this process may use (CpuCount()).
  int workers = 0;
  StartMethod start_method = StartMethod::kFork;
  // A worker exits and is replaced after this many tasks; 0 for never.
  int64_t max_tasks_per_child = 0;
  // How many more times a task is run when its worker dies while running it.
  int retries = 0;
  // Bytes of each shared-memory queue (one inbox per worker, one for results): a chunk of
  // tasks, or of results, must fit in one.
  size_t queue_bytes = size_t{4} << 20;
  // Run first in every worker, e.g. Call(OpenDatabase, path). Empty: none.
  PoolCall initializer = {};
};

class Pool {
 public:
  // InvalidArgument for negative workers, retries or max_tasks_per_child; FailedPrecondition
  // for an initializer that is not registered; otherwise why a worker could not start.
  static absl::StatusOr<Pool> Create(PoolOptions options = {});

  template <typename F>
  using ResultOf = typename internal::PoolFunctionTraits<F*>::Result;

  template <typename F, typename T>
  absl::StatusOr<std::vector<ResultOf<F>>> Map(F* task, const std::vector<T>& inputs,
                                               MapOptions options = {}) {
    return internal::WaitAndTakeAll(SubmitEach(task, inputs, options, /*unordered=*/false));
  }

  // Like Map, each input a tuple of the task's arguments.
  template <typename F, typename Tuple>
  absl::StatusOr<std::vector<ResultOf<F>>> Starmap(F* task, const std::vector<Tuple>& inputs,
                                                   MapOptions options = {}) {
    return internal::WaitAndTakeAll(
        Submit(task, inputs.size(), options, /*unordered=*/false,
               [&](size_t first, size_t count, std::string& out) {
                 for (size_t i = first; i < first + count; ++i) EncodeArgs(task, inputs[i], out);
               }));
  }

  template <typename F, typename T>
  absl::StatusOr<MapResult<ResultOf<F>>> MapAsync(F* task, const std::vector<T>& inputs,
                                                  MapOptions options = {},
                                                  Callbacks<std::vector<ResultOf<F>>> callbacks = {}) {
    auto job = SubmitEach(task, inputs, options, /*unordered=*/false);
    if (!job.ok()) return job.status();
    internal::AddCallbacks<std::vector<ResultOf<F>>>(*job, std::move(callbacks), [](const auto& done) {
      return done.AllResults();
    });
    return MapResult<ResultOf<F>>(*job);
  }

  template <typename F, typename T>
  absl::StatusOr<ResultStream<ResultOf<F>>> Imap(F* task, const std::vector<T>& inputs,
                                                 MapOptions options = {}) {
    auto job = SubmitEach(task, inputs, options, /*unordered=*/false);
    if (!job.ok()) return job.status();
    return ResultStream<ResultOf<F>>(*job, /*ordered=*/true);
  }

  template <typename F, typename T>
  absl::StatusOr<ResultStream<ResultOf<F>>> ImapUnordered(F* task, const std::vector<T>& inputs,
                                                          MapOptions options = {}) {
    auto job = SubmitEach(task, inputs, options, /*unordered=*/true);
    if (!job.ok()) return job.status();
    return ResultStream<ResultOf<F>>(*job, /*ordered=*/false);
  }

  template <typename F, typename... Args>
  absl::StatusOr<AsyncResult<ResultOf<F>>> ApplyAsync(F* task, const Args&... args) {
    return ApplyAsyncWithCallbacks(Callbacks<ResultOf<F>>{}, task, args...);
  }

  template <typename F, typename... Args>
  absl::StatusOr<AsyncResult<ResultOf<F>>> ApplyAsyncWithCallbacks(Callbacks<ResultOf<F>> callbacks,
                                                                   F* task, const Args&... args) {
    auto job = Submit(task, 1, {.chunksize = 1}, /*unordered=*/false, [&](size_t, size_t, std::string& out) {
      EncodeArgs(task, std::forward_as_tuple(args...), out);
    });
    if (!job.ok()) return job.status();
    internal::AddCallbacks<ResultOf<F>>(*job, std::move(callbacks),
                                        [](const auto& done) { return done.Result(0); });
    return AsyncResult<ResultOf<F>>(*job);
  }

  template <typename F, typename... Args>
  absl::StatusOr<ResultOf<F>> Apply(F* task, const Args&... args) {
    absl::StatusOr<AsyncResult<ResultOf<F>>> async = ApplyAsync(task, args...);
    if (!async.ok()) return async.status();
    return async->Get();
  }

  // No more calls; work already submitted still runs.
  void Close() { core_->Close(); }
  // After Close(): waits for the submitted work to finish and the workers to exit.
  // FailedPrecondition before Close() or Terminate(); DeadlineExceeded after `timeout`.
  absl::Status Join(absl::Duration timeout = absl::InfiniteDuration()) { return core_->Join(timeout); }
  // Kills the workers now; unfinished tasks fail with Cancelled.
  void Terminate() { core_->Terminate(); }

  int workers() const { return core_->workers(); }
  std::vector<pid_t> WorkerPids() const { return core_->WorkerPids(); }

 private:
  explicit Pool(std::unique_ptr<internal::PoolCore> core) : core_(std::move(core)) {}

  template <typename F>
  using JobFor = std::shared_ptr<internal::TypedJob<ResultOf<F>>>;

  // Appends one task's arguments, each converted to its parameter's type, encoded.
  template <typename F, typename Tuple>
  static void EncodeArgs(F* /*task*/, const Tuple& input, std::string& out) {
    using Params = typename internal::PoolFunctionTraits<F*>::Args;
    constexpr size_t kCount = std::tuple_size_v<Params>;
    static_assert(kCount == std::tuple_size_v<std::decay_t<Tuple>>,
                  "wrong number of arguments for this task");
    [&]<size_t... kIndex>(std::index_sequence<kIndex...>) {
      (EncodeAs<std::tuple_element_t<kIndex, Params>>(std::get<kIndex>(input), out), ...);
    }(std::make_index_sequence<kCount>{});
  }

  template <typename Param, typename Given>
  static void EncodeAs(const Given& given, std::string& out) {
    if constexpr (std::is_same_v<Param, std::decay_t<Given>>) {
      internal::Encode(given, out);  // no conversion, no copy
    } else {
      internal::Encode(Param(given), out);
    }
  }

  template <typename F, typename T>
  absl::StatusOr<JobFor<F>> SubmitEach(F* task, const std::vector<T>& inputs, MapOptions options,
                                       bool unordered) {
    static_assert(std::tuple_size_v<typename internal::PoolFunctionTraits<F*>::Args> == 1,
                  "Map/Imap tasks take one argument; use Starmap for more");
    using Param = std::tuple_element_t<0, typename internal::PoolFunctionTraits<F*>::Args>;
    return Submit(task, inputs.size(), options, unordered,
                  [&](size_t first, size_t count, std::string& out) {
                    if constexpr (std::is_same_v<T, Param> && internal::IsRawEncoded<T>()) {
                      // Numbers and plain structs: the chunk's arguments are an array.
                      out.append(reinterpret_cast<const char*>(&inputs[first]), count * sizeof(T));
                    } else {
                      for (size_t i = first; i < first + count; ++i) {
                        EncodeArgs(task, std::forward_as_tuple(inputs[i]), out);
                      }
                    }
                  });
  }

  // Sends tasks 0 .. count - 1 in chunks; encode_tasks(first, n, out) appends the arguments
  // of tasks first .. first + n - 1.
  template <typename F, typename EncodeTasks>
  absl::StatusOr<JobFor<F>> Submit(F* task, size_t count, MapOptions options, bool unordered,
                                   EncodeTasks encode_tasks) {
    const std::string name = internal::PoolTaskName(task);
    if (name.empty()) {
      return absl::FailedPreconditionError(
          "this function is not a pool task: register it with MP_POOL_TASK(name) at namespace "
          "scope, so that every worker can find it");
    }
    if (options.chunksize < 0) return absl::InvalidArgumentError("chunksize must be >= 0");
    const auto chunksize = static_cast<size_t>(
        options.chunksize > 0 ? options.chunksize
                              : DefaultChunksize(static_cast<int64_t>(count), workers()));
    auto job = std::make_shared<internal::TypedJob<ResultOf<F>>>(count, unordered);
    if (absl::Status submitted = core_->Submit(name, job, chunksize, encode_tasks); !submitted.ok()) {
      return submitted;
    }
    return job;
  }

  std::unique_ptr<internal::PoolCore> core_;
};

}  // namespace mp

#endif  // MP_POOL_POOL_H_
