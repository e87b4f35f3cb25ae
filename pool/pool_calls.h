// The calls of a pool of processes, written once for every engine that runs chunks of
// registered tasks somewhere else: mp::Pool (worker processes on this machine) and
// mp::RemotePool (worker hosts reached over gRPC) both derive from PoolCalls, so that
// code written against one runs on the other.
//
// An engine (`Core`) provides:
//   absl::Status Submit(std::string_view task_name, std::shared_ptr<internal::Job> job,
//                       size_t chunksize,
//                       absl::FunctionRef<void(size_t, size_t, std::string&)> encode_tasks);
//   absl::Status SubmitAndWait(...);  // the same arguments: Submit(), then waits until
//                                     // the job is complete (Map, Starmap, Apply)
//   int workers() const;  // for the automatic chunksize
//   void Close();  absl::Status Join(absl::Duration);  void Terminate();
// It sends each chunk's encoded arguments to be run and files the encoded results in the
// job (Job::CompleteEncoded); this file turns typed calls into chunks and back.

#ifndef MP_POOL_POOL_CALLS_H_
#define MP_POOL_POOL_CALLS_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pool/chunksize.h"
#include "pool/internal/job.h"
#include "pool/pool_task.h"
#include "pool/results.h"

namespace mp {

template <typename Core>
class PoolCalls {
 public:
  template <typename F>
  using ResultOf = typename internal::PoolFunctionTraits<F*>::Result;

  template <typename F, typename T>
  absl::StatusOr<std::vector<ResultOf<F>>> Map(F* task, const std::vector<T>& inputs,
                                               MapOptions options = {}) {
    return internal::WaitAndTakeAll(SubmitEach(task, inputs, options, kWait));
  }

  // Like Map, each input a tuple of the task's arguments.
  template <typename F, typename Tuple>
  absl::StatusOr<std::vector<ResultOf<F>>> Starmap(F* task, const std::vector<Tuple>& inputs,
                                                   MapOptions options = {}) {
    return internal::WaitAndTakeAll(
        Submit(task, inputs.size(), options, kWait,
               [&](size_t first, size_t count, std::string& out) {
                 for (size_t i = first; i < first + count; ++i) EncodeArgs(task, inputs[i], out);
               }));
  }

  template <typename F, typename T>
  absl::StatusOr<MapResult<ResultOf<F>>> MapAsync(F* task, const std::vector<T>& inputs,
                                                  MapOptions options = {},
                                                  Callbacks<std::vector<ResultOf<F>>> callbacks = {}) {
    auto job = SubmitEach(task, inputs, options, kReturnOrdered, [&](const JobFor<F>& job) {
      internal::AddCallbacks<std::vector<ResultOf<F>>>(job, std::move(callbacks), [](const auto& done) {
        return done.AllResults();
      });
    });
    if (!job.ok()) return job.status();
    return MapResult<ResultOf<F>>(*job);
  }

  template <typename F, typename T>
  absl::StatusOr<ResultStream<ResultOf<F>>> Imap(F* task, const std::vector<T>& inputs,
                                                 MapOptions options = {}) {
    auto job = SubmitEach(task, inputs, options, kReturnOrdered);
    if (!job.ok()) return job.status();
    return ResultStream<ResultOf<F>>(*job, /*ordered=*/true);
  }

  template <typename F, typename T>
  absl::StatusOr<ResultStream<ResultOf<F>>> ImapUnordered(F* task, const std::vector<T>& inputs,
                                                          MapOptions options = {}) {
    auto job = SubmitEach(task, inputs, options, kReturnUnordered);
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
    auto job = SubmitOne(task, kReturnOrdered, [&](const JobFor<F>& job) {
      internal::AddCallbacks<ResultOf<F>>(job, std::move(callbacks),
                                          [](const auto& done) { return done.Result(0); });
    }, args...);
    if (!job.ok()) return job.status();
    return AsyncResult<ResultOf<F>>(*job);
  }

  template <typename F, typename... Args>
  absl::StatusOr<ResultOf<F>> Apply(F* task, const Args&... args) {
    auto job = SubmitOne(task, kWait, nullptr, args...);
    if (!job.ok()) return job.status();
    return (*job)->Result(0);
  }

  // No more calls; work already submitted still runs.
  void Close() { core_->Close(); }
  // After Close(): waits for the submitted work to finish and the workers to exit.
  // FailedPrecondition before Close() or Terminate(); DeadlineExceeded after `timeout`.
  absl::Status Join(absl::Duration timeout = absl::InfiniteDuration()) { return core_->Join(timeout); }
  // Kills the workers now; unfinished tasks fail with Cancelled.
  void Terminate() { core_->Terminate(); }

  int workers() const { return core_->workers(); }

 protected:
  explicit PoolCalls(std::unique_ptr<Core> core) : core_(std::move(core)) {}
  Core& core() const { return *core_; }

 private:
  template <typename F>
  using JobFor = std::shared_ptr<internal::TypedJob<ResultOf<F>>>;

  // What a call does once its tasks are sent: return a handle (results to be read in
  // order, or as they complete), or wait for them all (the engine may then use the
  // waiting thread to collect them).
  enum Then { kReturnOrdered, kReturnUnordered, kWait };
  // Called with a new job before its tasks are sent. Callbacks are attached here: once
  // sent, its results may be in before the call returns, and callbacks attached to a
  // complete job run at once, on the calling thread; attached before, they run on the
  // engine's thread that files the last result, as its header promises.
  template <typename F>
  using BeforeSending = std::function<void(const JobFor<F>&)>;

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

  template <typename F, typename... Args>
  absl::StatusOr<JobFor<F>> SubmitOne(F* task, Then then, BeforeSending<F> before_sending,
                                      const Args&... args) {
    return Submit(
        task, 1, {.chunksize = 1}, then,
        [&](size_t, size_t, std::string& out) { EncodeArgs(task, std::forward_as_tuple(args...), out); },
        std::move(before_sending));
  }

  template <typename F, typename T>
  absl::StatusOr<JobFor<F>> SubmitEach(F* task, const std::vector<T>& inputs, MapOptions options,
                                       Then then, BeforeSending<F> before_sending = nullptr) {
    static_assert(std::tuple_size_v<typename internal::PoolFunctionTraits<F*>::Args> == 1,
                  "Map/Imap tasks take one argument; use Starmap for more");
    using Param = std::tuple_element_t<0, typename internal::PoolFunctionTraits<F*>::Args>;
    return Submit(task, inputs.size(), options, then,
                  [&](size_t first, size_t count, std::string& out) {
                    if constexpr (std::is_same_v<T, Param> && internal::IsRawEncoded<T>()) {
                      // Numbers and plain structs: the chunk's arguments are an array.
                      out.append(reinterpret_cast<const char*>(&inputs[first]), count * sizeof(T));
                    } else {
                      for (size_t i = first; i < first + count; ++i) {
                        EncodeArgs(task, std::forward_as_tuple(inputs[i]), out);
                      }
                    }
                  },
                  std::move(before_sending));
  }

  // Sends tasks 0 .. count - 1 in chunks; encode_tasks(first, n, out) appends the arguments
  // of tasks first .. first + n - 1.
  template <typename F, typename EncodeTasks>
  absl::StatusOr<JobFor<F>> Submit(F* task, size_t count, MapOptions options, Then then,
                                   EncodeTasks encode_tasks, BeforeSending<F> before_sending = nullptr) {
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
    auto job = std::make_shared<internal::TypedJob<ResultOf<F>>>(count, then == kReturnUnordered);
    if (before_sending) before_sending(job);
    const absl::Status submitted = then == kWait
                                       ? core_->SubmitAndWait(name, job, chunksize, encode_tasks)
                                       : core_->Submit(name, job, chunksize, encode_tasks);
    if (!submitted.ok()) return submitted;
    return job;
  }

  std::unique_ptr<Core> core_;
};

}  // namespace mp

#endif  // MP_POOL_POOL_CALLS_H_
