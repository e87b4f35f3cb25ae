// The typed calls of every pool, written once: Map, Starmap, MapAsync, StarmapAsync, Imap,
// ImapUnordered, Apply, ApplyAsync, Close, Join, Terminate. mp::Pool (worker processes),
// mp::RemotePool (worker hosts over gRPC) and mp::ThreadPool (threads) each derive from
// PoolCalls with their own engine (internal/engine.h) behind it, so code written against
// one runs on the others.
//
// This layer owns the types: it checks each call, makes its typed job (internal/job.h),
// attaches callbacks, and hands the engine the tasks in the form it runs (`Carrier`):
// - RegisteredTasks (Pool, RemotePool): functions registered with MP_POOL_TASK, their
//   arguments encoded a chunk at a time (internal/chunk_codec.h);
// - CallablesHere (ThreadPool): any callable, run on the pool's threads, never encoded.

#ifndef MP_POOL_POOL_CALLS_H_
#define MP_POOL_POOL_CALLS_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "pool/chunksize.h"
#include "pool/internal/call_inputs.h"
#include "pool/internal/chunk_codec.h"
#include "pool/internal/engine.h"
#include "pool/internal/job.h"
#include "pool/pool_task.h"
#include "pool/lazy_stream.h"
#include "pool/results.h"
#include "pool/task_exception.h"

namespace mp {
namespace internal {

// Pool and RemotePool: tasks are functions registered with MP_POOL_TASK, which a worker
// in another process finds by name; their arguments travel encoded.
struct RegisteredTasks {
  template <typename F>
  using Traits = PoolFunctionTraits<std::decay_t<F>>;
  // What ResultOf names for anything else, so that the call's own check says what is wrong.
  struct NotARegisteredFunction {};
  template <typename F, bool = Traits<F>::kIsFunctionPointer>
  struct Result {
    using type = typename Traits<F>::Result;
  };
  template <typename F>
  struct Result<F, false> {
    using type = NotARegisteredFunction;
  };

  // What the caller receives from task `F` (its arguments are implied by F).
  template <typename F, typename... Args>
  using ResultOf = typename Result<F>::type;
  template <typename F, typename Tuple>
  using ResultOfApplying = typename Result<F>::type;

  // Map's tasks take one argument.
  template <typename F>
  static constexpr void CheckTakesOneArgument() {
    if constexpr (Traits<F>::kIsFunctionPointer) {
      static_assert(std::tuple_size_v<typename Traits<F>::Args> == 1,
                    "Map/Imap tasks take one argument; use Starmap for more");
    }
  }

  // Calls submit(tasks) with the call's tasks encoded, before it returns.
  template <typename R, typename F, typename Inputs, typename Submit>
  static absl::Status Send(F&& task, const Inputs& inputs, const std::shared_ptr<TypedJob<R>>& /*job*/,
                           bool /*call_waits*/, Submit submit) {
    static_assert(Traits<F>::kIsFunctionPointer,
                  "a Pool's tasks are functions registered with MP_POOL_TASK, not lambdas or "
                  "overloaded names (a ThreadPool takes any callable)");
    if constexpr (Traits<F>::kIsFunctionPointer) {
      const std::string name = PoolTaskName(std::decay_t<F>(task));
      if (name.empty()) {
        return absl::FailedPreconditionError(
            "this function is not a pool task: register it with MP_POOL_TASK(name) at namespace "
            "scope, so that every worker can find it");
      }
      using Params = typename Traits<F>::Args;
      return submit(EncodedTasks{name, [&](size_t first, size_t count, std::string& out) {
                                   EncodeChunkArgs<Params>(inputs, first, count, out);
                                 }});
    } else {
      return absl::OkStatus();
    }
  }
};

// ThreadPool: tasks are any callable, closures included, run on this process's threads;
// nothing is encoded, and the inputs are copied only for a call that returns before its
// work is done.
struct CallablesHere {
  // What the caller receives from `F` called with `Args`: its value, with StatusOr
  // unwrapped; NoResult for void.
  template <typename F, typename... Args>
  using ResultOf = typename PoolFunctionTraits<
      std::invoke_result_t<std::decay_t<F>&, const Args&...> (*)()>::Result;
  template <typename F, typename Tuple>
  using ResultOfApplying = typename PoolFunctionTraits<decltype(std::apply(
      std::declval<std::decay_t<F>&>(), std::declval<const Tuple&>())) (*)()>::Result;

  template <typename F>
  static constexpr void CheckTakesOneArgument() {}  // invoke_result says it if not

  // A call that waits for its job (Map, Starmap, Apply) lends the pool's threads its task
  // and inputs: they outlive every chunk, since the job completes only when the last
  // chunk has run. Any other call's outlive the call, so they are copied.
  template <typename R, typename F, typename Inputs, typename Submit>
  static absl::Status Send(F&& task, const Inputs& inputs, const std::shared_ptr<TypedJob<R>>& job,
                           bool call_waits, Submit submit) {
    if (call_waits) {
      return submit(TasksHere{[job, &task, &inputs](size_t first, size_t count) {
        return RunChunk(*job, task, inputs, first, count);
      }});
    }
    auto kept = std::make_shared<decltype(inputs.Kept())>(inputs.Kept());
    auto function = std::make_shared<std::decay_t<F>>(std::forward<F>(task));
    return submit(TasksHere{[job, kept, function](size_t first, size_t count) {
      return RunChunk(*job, *function, *kept, first, count);
    }});
  }

  // Runs tasks first .. first + count - 1, each result straight into its place in the
  // job, and files them at once; true if that completed the job. A task that throws or
  // returns an error fails alone, its message prefixed "task <index> failed in a pool
  // thread: ".
  template <typename R, typename Function, typename Inputs>
  static bool RunChunk(TypedJob<R>& job, Function& function, const Inputs& inputs, size_t first,
                       size_t count) {
    std::vector<std::pair<size_t, absl::Status>> errors;
    auto fail = [&errors](size_t index, const absl::Status& status) {
      absl::Status prefixed(status.code(),
                            absl::StrCat("task ", index, " failed in a pool thread: ", status.message()));
      status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
        prefixed.SetPayload(url, payload);
      });
      errors.emplace_back(index, std::move(prefixed));
    };
    const size_t end = first + count;
    size_t index = first;
    // One try per chunk, not per task: after a throw, the loop goes on from the next task.
    while (index < end) {
      try {
        for (; index < end; ++index) {
          using Returned = decltype(std::apply(function, inputs.Arguments(index)));
          if constexpr (std::is_void_v<Returned>) {
            std::apply(function, inputs.Arguments(index));
          } else if constexpr (std::is_same_v<std::decay_t<Returned>, R>) {
            job.SlotHere(index) = std::apply(function, inputs.Arguments(index));
          } else {
            Returned returned = std::apply(function, inputs.Arguments(index));
            if (returned.ok()) {
              job.SlotHere(index) = *std::move(returned);
            } else {
              fail(index, returned.status());
            }
          }
        }
      } catch (...) {
        fail(index++, StatusOfCurrentException());
      }
    }
    return job.FileRunHere(first, count, errors);
  }
};

}  // namespace internal

template <typename Carrier>
class PoolCalls {
 public:
  template <typename F, typename... Args>
  using ResultOf = typename Carrier::template ResultOf<F, Args...>;

  template <typename F, typename T>
  absl::StatusOr<std::vector<ResultOf<F, T>>> Map(F&& task, const std::vector<T>& inputs,
                                                  MapOptions options = {}) {
    return internal::WaitAndTakeAll(
        Submit<ResultOf<F, T>>(std::forward<F>(task), OneArgument<F>(inputs), options, kWait));
  }

  // Like Map, each input a tuple of the task's arguments.
  template <typename F, typename Tuple>
  absl::StatusOr<std::vector<typename Carrier::template ResultOfApplying<F, Tuple>>> Starmap(
      F&& task, const std::vector<Tuple>& inputs, MapOptions options = {}) {
    return internal::WaitAndTakeAll(
        Submit<typename Carrier::template ResultOfApplying<F, Tuple>>(
            std::forward<F>(task), internal::InputsOfStarmap(inputs), options, kWait));
  }

  template <typename F, typename T>
  absl::StatusOr<MapResult<ResultOf<F, T>>> MapAsync(F&& task, const std::vector<T>& inputs,
                                                     MapOptions options = {},
                                                     Callbacks<std::vector<ResultOf<F, T>>> callbacks = {}) {
    return SubmitForMapResult<ResultOf<F, T>>(std::forward<F>(task), OneArgument<F>(inputs),
                                              options, std::move(callbacks));
  }

  // Like MapAsync, each input a tuple of the task's arguments (Python's starmap_async).
  template <typename F, typename Tuple>
  absl::StatusOr<MapResult<typename Carrier::template ResultOfApplying<F, Tuple>>> StarmapAsync(
      F&& task, const std::vector<Tuple>& inputs, MapOptions options = {},
      Callbacks<std::vector<typename Carrier::template ResultOfApplying<F, Tuple>>> callbacks = {}) {
    return SubmitForMapResult<typename Carrier::template ResultOfApplying<F, Tuple>>(
        std::forward<F>(task), internal::InputsOfStarmap(inputs), options, std::move(callbacks));
  }

  template <typename F, typename T>
  absl::StatusOr<ResultStream<ResultOf<F, T>>> Imap(F&& task, const std::vector<T>& inputs,
                                                    MapOptions options = {}) {
    auto job = Submit<ResultOf<F, T>>(std::forward<F>(task), OneArgument<F>(inputs), options,
                                      kReturnOrdered);
    if (!job.ok()) return job.status();
    return ResultStream<ResultOf<F, T>>(*job, /*ordered=*/true);
  }

  template <typename F, typename T>
  absl::StatusOr<ResultStream<ResultOf<F, T>>> ImapUnordered(F&& task, const std::vector<T>& inputs,
                                                             MapOptions options = {}) {
    auto job = Submit<ResultOf<F, T>>(std::forward<F>(task), OneArgument<F>(inputs), options,
                                      kReturnUnordered);
    if (!job.ok()) return job.status();
    return ResultStream<ResultOf<F, T>>(*job, /*ordered=*/false);
  }

  // Imap and ImapUnordered over inputs pulled as they are needed, at most
  // options.buffersize ahead of the results taken (lazy_stream.h). The pool must outlive
  // the stream, and stay where it is (not moved from) while the stream is used.
  template <typename F, typename T>
  LazyResultStream<ResultOf<F, T>> ImapLazy(F task, InputSource<T> inputs,
                                            LazyMapOptions options = {}) {
    return Lazy<ResultOf<F, T>>(std::move(task), std::move(inputs), options, /*ordered=*/true);
  }
  template <typename F, typename T>
  LazyResultStream<ResultOf<F, T>> ImapUnorderedLazy(F task, InputSource<T> inputs,
                                                     LazyMapOptions options = {}) {
    return Lazy<ResultOf<F, T>>(std::move(task), std::move(inputs), options, /*ordered=*/false);
  }

  template <typename F, typename... Args>
  absl::StatusOr<AsyncResult<ResultOf<F, Args...>>> ApplyAsync(F&& task, const Args&... args) {
    return ApplyAsyncWithCallbacks(Callbacks<ResultOf<F, Args...>>{}, std::forward<F>(task), args...);
  }

  template <typename F, typename... Args>
  absl::StatusOr<AsyncResult<ResultOf<F, Args...>>> ApplyAsyncWithCallbacks(
      Callbacks<ResultOf<F, Args...>> callbacks, F&& task, const Args&... args) {
    using R = ResultOf<F, Args...>;
    auto job = Submit<R>(std::forward<F>(task), internal::InputsOfApply(args...), {.chunksize = 1},
                         kReturnOrdered, [&](const JobFor<R>& job) {
                           internal::AddCallbacks<R>(job, std::move(callbacks),
                                                     [](const auto& done) { return done.Result(0); });
                         });
    if (!job.ok()) return job.status();
    return AsyncResult<R>(*job);
  }

  template <typename F, typename... Args>
  absl::StatusOr<ResultOf<F, Args...>> Apply(F&& task, const Args&... args) {
    auto job = Submit<ResultOf<F, Args...>>(std::forward<F>(task), internal::InputsOfApply(args...),
                                            {.chunksize = 1}, kWait);
    if (!job.ok()) return job.status();
    return (*job)->Result(0);
  }

  // No more calls; work already submitted still runs.
  void Close() { engine_->Close(); }
  // After Close(): waits for the submitted work to finish and the workers to exit.
  // FailedPrecondition before Close() or Terminate(); DeadlineExceeded after `timeout`.
  absl::Status Join(absl::Duration timeout = absl::InfiniteDuration()) { return engine_->Join(timeout); }
  // Stops the workers now; unfinished tasks fail with Cancelled.
  void Terminate() { engine_->Terminate(); }

  int workers() const { return engine_->workers(); }

 protected:
  explicit PoolCalls(std::unique_ptr<internal::Engine> engine) : engine_(std::move(engine)) {}
  const internal::Engine& engine() const { return *engine_; }

 private:
  template <typename R>
  using JobFor = std::shared_ptr<internal::TypedJob<R>>;

  // What a call does once its tasks are sent: return a handle (results to be read in
  // order, or as they complete), or wait for them all (the engine may then use the
  // waiting thread to collect them).
  enum Then { kReturnOrdered, kReturnUnordered, kWait };
  // Called with a new job before its tasks are sent. Callbacks are attached here: once
  // sent, its results may be in before the call returns, and callbacks attached to a
  // complete job run at once, on the calling thread; attached before, they run on the
  // engine's thread that files the last result, as the pools' headers promise.
  template <typename R>
  using BeforeSending = std::function<void(const JobFor<R>&)>;

  // Map's inputs: each is the task's one argument.
  template <typename F, typename T>
  static auto OneArgument(const std::vector<T>& inputs) {
    Carrier::template CheckTakesOneArgument<F>();
    return internal::InputsOfMap(inputs);
  }

  // MapAsync's and StarmapAsync's common part: submit, with `callbacks` on the whole list.
  template <typename R, typename F, typename Inputs>
  absl::StatusOr<MapResult<R>> SubmitForMapResult(F&& task, const Inputs& inputs, MapOptions options,
                                                  Callbacks<std::vector<R>> callbacks) {
    auto job = Submit<R>(std::forward<F>(task), inputs, options, kReturnOrdered,
                         [&](const JobFor<R>& job) {
                           internal::AddCallbacks<std::vector<R>>(
                               job, std::move(callbacks), [](const auto& done) { return done.AllResults(); });
                         });
    if (!job.ok()) return job.status();
    return MapResult<R>(*job);
  }

  // The lazy streams' common part: each batch pulled from `source` is one Imap.
  template <typename R, typename F, typename T>
  LazyResultStream<R> Lazy(F task, InputSource<T> source, LazyMapOptions options, bool ordered) {
    using Batch = typename LazyResultStream<R>::Batch;
    auto submit_next = [this, task = std::move(task), source = std::move(source), options,
                        ordered](size_t max) mutable -> absl::StatusOr<Batch> {
      Batch batch;
      std::vector<T> inputs;
      while (inputs.size() < max) {
        absl::StatusOr<std::optional<T>> next = source();
        if (!next.ok()) {
          batch.source_error = next.status();
          break;
        }
        if (!next->has_value()) break;
        inputs.push_back(**std::move(next));
      }
      batch.size = inputs.size();
      if (inputs.empty()) return batch;
      const MapOptions map_options{.chunksize = options.chunksize};
      absl::StatusOr<ResultStream<R>> results =
          ordered ? Imap(task, inputs, map_options) : ImapUnordered(task, inputs, map_options);
      if (!results.ok()) return results.status();
      batch.results.emplace(*std::move(results));
      return batch;
    };
    return LazyResultStream<R>(std::move(submit_next), options.buffersize);
  }

  // Sends tasks 0 .. inputs.size() - 1 in chunks, as the engine runs them.
  template <typename R, typename F, typename Inputs>
  absl::StatusOr<JobFor<R>> Submit(F&& task, const Inputs& inputs, MapOptions options, Then then,
                                   BeforeSending<R> before_sending = nullptr) {
    if (options.chunksize < 0) return absl::InvalidArgumentError("chunksize must be >= 0");
    const size_t count = inputs.size();
    const auto chunksize = static_cast<size_t>(
        options.chunksize > 0
            ? options.chunksize
            : DefaultChunksize(static_cast<int64_t>(count), workers(),
                               // chunks that are not messages need no cap (chunksize.h)
                               engine_->RunsTasksHere() ? INT64_MAX : kMaxDefaultChunksize));
    auto job = std::make_shared<internal::TypedJob<R>>(count, then == kReturnUnordered);
    if (before_sending) before_sending(job);
    const absl::Status submitted = Carrier::template Send<R>(
        std::forward<F>(task), inputs, job, then == kWait, [&](auto tasks) {
          const internal::EngineCall call{job, chunksize, std::move(tasks)};
          return then == kWait ? engine_->SubmitAndWait(call) : engine_->Submit(call);
        });
    if (!submitted.ok()) return submitted;
    return job;
  }

  std::unique_ptr<internal::Engine> engine_;
};

}  // namespace mp

#endif  // MP_POOL_POOL_CALLS_H_
