// The handles that Pool and ThreadPool return for their results: MapResult (MapAsync),
// AsyncResult (ApplyAsync) and ResultStream (Imap, ImapUnordered), with MapOptions and
// Callbacks. Results are decoded as they arrive, a chunk at a time (internal/job.h).

#ifndef MP_POOL_RESULTS_H_
#define MP_POOL_RESULTS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pool/internal/job.h"
#include "pool/pool_task.h"

namespace mp {

struct MapOptions {
  // Tasks sent to a worker at a time; 0 chooses (about 4 chunks per worker).
  int64_t chunksize = 0;
};

template <typename T>
struct Callbacks {
  std::function<void(const T&)> on_success = nullptr;
  std::function<void(const absl::Status&)> on_error = nullptr;
};

namespace internal {

// The end of Map and Starmap: waits for every result and moves them out of the job,
// whose only reader the caller is; the submission's error instead, if it failed.
template <typename R>
absl::StatusOr<std::vector<R>> WaitAndTakeAll(absl::StatusOr<std::shared_ptr<TypedJob<R>>> job) {
  if (!job.ok()) return job.status();
  (*job)->Wait(absl::InfiniteDuration());
  return (*job)->TakeAllResults();
}

template <typename R>
class JobHandle {
 public:
  explicit JobHandle(std::shared_ptr<TypedJob<R>> job) : job_(std::move(job)) {}
  // OK once every result is in; DeadlineExceeded if `timeout` passes first.
  absl::Status Wait(absl::Duration timeout = absl::InfiniteDuration()) const {
    return job_->Wait(timeout) ? absl::OkStatus()
                               : absl::DeadlineExceededError("the results are not ready yet");
  }
  // A descriptor that becomes readable once every result is in (and the callbacks have
  // run), and stays so: wait on it with mp::Wait() (process/wait.h) beside processes'
  // sentinels and pipes. Owned by the results: valid while any handle to them lives.
  absl::StatusOr<int> sentinel() const { return job_->Sentinel(); }
  bool Ready() const { return job_->Ready(); }
  // Ready, and no task failed.
  bool Successful() const { return job_->Successful(); }

 protected:
  std::shared_ptr<TypedJob<R>> job_;
};

}  // namespace internal

// The results of MapAsync.
template <typename R>
class MapResult : public internal::JobHandle<R> {
 public:
  using internal::JobHandle<R>::JobHandle;
  // All results in order, or the first task error; DeadlineExceeded if not ready in time.
  absl::StatusOr<std::vector<R>> Get(absl::Duration timeout = absl::InfiniteDuration()) const {
    if (absl::Status ready = this->Wait(timeout); !ready.ok()) return ready;
    return this->job_->AllResults();
  }
  // Each task's own result or error, in order.
  absl::StatusOr<std::vector<absl::StatusOr<R>>> GetEach(
      absl::Duration timeout = absl::InfiniteDuration()) const {
    if (absl::Status ready = this->Wait(timeout); !ready.ok()) return ready;
    std::vector<absl::StatusOr<R>> each;
    each.reserve(this->job_->size());
    for (size_t i = 0; i < this->job_->size(); ++i) each.push_back(this->job_->Result(i));
    return each;
  }
};

// The result of ApplyAsync.
template <typename R>
class AsyncResult : public internal::JobHandle<R> {
 public:
  using internal::JobHandle<R>::JobHandle;
  absl::StatusOr<R> Get(absl::Duration timeout = absl::InfiniteDuration()) const {
    if (absl::Status ready = this->Wait(timeout); !ready.ok()) return ready;
    return this->job_->Result(0);
  }
};

// The results of Imap (in order) or ImapUnordered (as they complete).
template <typename R>
class ResultStream {
 public:
  ResultStream(std::shared_ptr<internal::TypedJob<R>> job, bool ordered)
      : job_(std::move(job)), ordered_(ordered) {}
  // The next result, or that task's error. OutOfRange when every result has been
  // returned (Python's StopIteration); DeadlineExceeded if none arrives within `timeout`.
  absl::StatusOr<R> Next(absl::Duration timeout = absl::InfiniteDuration()) {
    absl::StatusOr<size_t> index = job_->NextIndex(ordered_, timeout);
    if (!index.ok()) return index.status();
    return job_->Result(*index);
  }
  size_t size() const { return job_->size(); }

 private:
  std::shared_ptr<internal::TypedJob<R>> job_;
  bool ordered_;
};

namespace internal {

// Attaches `callbacks` to `job`: on_success with the collected value, or on_error.
template <typename T, typename R, typename Collect>
void AddCallbacks(const std::shared_ptr<TypedJob<R>>& job, Callbacks<T> callbacks, Collect collect) {
  if (!callbacks.on_success && !callbacks.on_error) return;
  TypedJob<R>* done = job.get();  // the job owns the callback: no cycle through it
  job->SetOnDone([done, callbacks = std::move(callbacks), collect] {
    absl::StatusOr<T> value = collect(*done);
    if (value.ok() && callbacks.on_success) callbacks.on_success(*value);
    if (!value.ok() && callbacks.on_error) callbacks.on_error(value.status());
  });
}

}  // namespace internal
}  // namespace mp

#endif  // MP_POOL_RESULTS_H_
