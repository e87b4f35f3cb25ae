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

#ifndef MP_POOL_THREAD_POOL_H_
#define MP_POOL_THREAD_POOL_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipc/codec.h"
#include "pool/chunksize.h"
#include "pool/internal/job.h"
#include "pool/internal/thread_pool_core.h"
#include "pool/pool_task.h"
#include "pool/results.h"

namespace mp {

struct ThreadPoolOptions {
  // 0: one per CPU this process may use.
  int workers = 0;
};

class ThreadPool {
 public:
  // What the caller receives from `F` applied to a tuple (Starmap).
  template <typename F, typename Tuple>
  struct StarResult {
    using type = typename internal::PoolFunctionTraits<
        decltype(std::apply(std::declval<std::decay_t<F>&>(), std::declval<const Tuple&>())) (*)()>::Result;
  };

  // InvalidArgument for negative workers.
  static absl::StatusOr<ThreadPool> Create(ThreadPoolOptions options = {});

  // What the caller receives from `F` called with `Args`: its value, with StatusOr
  // unwrapped; NoResult for void.
  template <typename F, typename... Args>
  using ResultOf = typename internal::PoolFunctionTraits<
      std::invoke_result_t<std::decay_t<F>&, const Args&...> (*)()>::Result;

  template <typename F, typename T>
  absl::StatusOr<std::vector<ResultOf<F, T>>> Map(F&& task, const std::vector<T>& inputs,
                                                  MapOptions options = {}) {
    return internal::WaitAndTakeAll(SubmitEach<ResultOf<F, T>>(std::forward<F>(task), inputs, options));
  }

  template <typename F, typename Tuple>
  absl::StatusOr<std::vector<typename StarResult<F, Tuple>::type>> Starmap(
      F&& task, const std::vector<Tuple>& inputs, MapOptions options = {}) {
    using R = typename StarResult<F, Tuple>::type;
    auto shared = std::make_shared<std::vector<Tuple>>(inputs);
    auto function = std::make_shared<std::decay_t<F>>(std::forward<F>(task));
    return internal::WaitAndTakeAll(Submit<R>(
        shared->size(), [shared, function](size_t i) { return std::apply(*function, (*shared)[i]); },
        options.chunksize));
  }

  template <typename F, typename T>
  absl::StatusOr<MapResult<ResultOf<F, T>>> MapAsync(
      F&& task, const std::vector<T>& inputs, MapOptions options = {},
      Callbacks<std::vector<ResultOf<F, T>>> callbacks = {}) {
    using R = ResultOf<F, T>;
    auto job = SubmitEach<R>(std::forward<F>(task), inputs, options, /*unordered=*/false,
                             [&](const JobFor<R>& job) {
                               internal::AddCallbacks<std::vector<R>>(
                                   job, std::move(callbacks),
                                   [](const auto& done) { return done.AllResults(); });
                             });
    if (!job.ok()) return job.status();
    return MapResult<R>(*job);
  }

  template <typename F, typename T>
  absl::StatusOr<ResultStream<ResultOf<F, T>>> Imap(F&& task, const std::vector<T>& inputs,
                                                    MapOptions options = {}) {
    auto job = SubmitEach<ResultOf<F, T>>(std::forward<F>(task), inputs, options);
    if (!job.ok()) return job.status();
    return ResultStream<ResultOf<F, T>>(*job, /*ordered=*/true);
  }

  template <typename F, typename T>
  absl::StatusOr<ResultStream<ResultOf<F, T>>> ImapUnordered(F&& task, const std::vector<T>& inputs,
                                                             MapOptions options = {}) {
    auto job = SubmitEach<ResultOf<F, T>>(std::forward<F>(task), inputs, options, /*unordered=*/true);
    if (!job.ok()) return job.status();
    return ResultStream<ResultOf<F, T>>(*job, /*ordered=*/false);
  }

  template <typename F, typename... Args>
  absl::StatusOr<AsyncResult<ResultOf<F, Args...>>> ApplyAsync(F&& task, const Args&... args) {
    return ApplyAsyncWithCallbacks(Callbacks<ResultOf<F, Args...>>{}, std::forward<F>(task), args...);
  }

  template <typename F, typename... Args>
  absl::StatusOr<AsyncResult<ResultOf<F, Args...>>> ApplyAsyncWithCallbacks(
      Callbacks<ResultOf<F, Args...>> callbacks, F&& task, const Args&... args) {
    using R = ResultOf<F, Args...>;
    auto call = [function = std::decay_t<F>(std::forward<F>(task)),
                 arguments = std::make_tuple(args...)](size_t) mutable {
      return std::apply(function, arguments);
    };
    auto job = Submit<R>(1, std::move(call), 1, /*unordered=*/false, [&](const JobFor<R>& job) {
      internal::AddCallbacks<R>(job, std::move(callbacks), [](const auto& done) { return done.Result(0); });
    });
    if (!job.ok()) return job.status();
    return AsyncResult<R>(*job);
  }

  template <typename F, typename... Args>
  absl::StatusOr<ResultOf<F, Args...>> Apply(F&& task, const Args&... args) {
    absl::StatusOr<AsyncResult<ResultOf<F, Args...>>> async = ApplyAsync(std::forward<F>(task), args...);
    if (!async.ok()) return async.status();
    return async->Get();
  }

  void Close() { core_->Close(); }
  absl::Status Join(absl::Duration timeout = absl::InfiniteDuration()) { return core_->Join(timeout); }
  void Terminate() { core_->Terminate(); }
  int workers() const { return core_->threads(); }

 private:
  explicit ThreadPool(std::unique_ptr<internal::ThreadPoolCore> core) : core_(std::move(core)) {}

  template <typename R>
  using JobFor = std::shared_ptr<internal::TypedJob<R>>;

  // Attaches a call's callbacks to its job before any of its work is queued (a job that
  // finished first would run them on the caller's thread, after Ready() said true).
  template <typename R>
  using AttachCallbacks = absl::FunctionRef<void(const JobFor<R>&)>;
  template <typename R>
  static void NoCallbacks(const JobFor<R>&) {}

  template <typename R, typename F, typename T>
  absl::StatusOr<JobFor<R>> SubmitEach(F&& task, const std::vector<T>& inputs, MapOptions options,
                                       bool unordered = false,
                                       AttachCallbacks<R> attach = NoCallbacks<R>) {
    auto shared = std::make_shared<std::vector<T>>(inputs);  // async calls outlive the caller's
    auto function = std::make_shared<std::decay_t<F>>(std::forward<F>(task));
    return Submit<R>(shared->size(), [shared, function](size_t i) { return (*function)((*shared)[i]); },
                     options.chunksize, unordered, attach);
  }

  // Runs call(i) for i in [0, count), `chunksize` calls per unit of work.
  template <typename R, typename Call>
  absl::StatusOr<JobFor<R>> Submit(size_t count, Call call, int64_t chunksize, bool unordered = false,
                                   AttachCallbacks<R> attach = NoCallbacks<R>) {
    if (chunksize < 0) return absl::InvalidArgumentError("chunksize must be >= 0");
    if (chunksize == 0) chunksize = DefaultChunksize(static_cast<int64_t>(count), workers());
    auto job = std::make_shared<internal::TypedJob<R>>(count, unordered);
    attach(job);
    auto shared_call = std::make_shared<Call>(std::move(call));
    std::vector<internal::ThreadPoolCore::Work> work;
    for (size_t first = 0; first < count; first += static_cast<size_t>(chunksize)) {
      const size_t end = std::min(count, first + static_cast<size_t>(chunksize));
      work.push_back({
          .run = [job, shared_call, first, end] {
            std::vector<absl::StatusOr<R>> results;
            results.reserve(end - first);
            for (size_t i = first; i < end; ++i) results.push_back(RunOne<R>(*shared_call, i));
            Finish(*job, job->CompleteAll(first, results));
          },
          .cancel = [job, first, end] {
            Finish(*job, job->FailAll(first, end - first, absl::CancelledError("the pool was terminated")));
          },
      });
    }
    if (count == 0) return job;
    if (absl::Status submitted = core_->Submit(std::move(work)); !submitted.ok()) return submitted;
    return job;
  }

  // One task's result, or its error with context.
  template <typename R, typename Call>
  static absl::StatusOr<R> RunOne(Call& call, size_t index) {
    auto fail = [index](const absl::Status& status) {
      return absl::Status(status.code(), absl::StrCat("task ", index, " failed in a pool thread: ",
                                                      status.message()));
    };
    try {
      using Returned = decltype(call(index));
      if constexpr (std::is_void_v<Returned>) {
        call(index);
        return NoResult{};
      } else if constexpr (std::is_same_v<std::decay_t<Returned>, R>) {
        return call(index);
      } else {
        Returned returned = call(index);
        if (!returned.ok()) return fail(returned.status());
        return *std::move(returned);
      }
    } catch (const std::exception& error) {
      return fail(absl::UnknownError(absl::StrCat("the task threw: ", error.what())));
    } catch (...) {
      return fail(absl::UnknownError("the task threw something that is not a std::exception"));
    }
  }

  // After filing a chunk: runs the done callback if that completed the job.
  static void Finish(internal::Job& job, bool completed) {
    if (!completed) return;
    if (std::function<void()> on_done = job.TakeOnDone()) on_done();
  }

  std::unique_ptr<internal::ThreadPoolCore> core_;
};

}  // namespace mp

#endif  // MP_POOL_THREAD_POOL_H_
