// concurrent.futures in C++: ProcessPoolExecutor (worker processes, a Pool underneath) and
// ThreadPoolExecutor (threads, a ThreadPool), with futures, AsCompleted and WaitFor.
//
//   absl::StatusOr<mp::ProcessPoolExecutor> executor = mp::ProcessPoolExecutor::Create();
//   absl::StatusOr<mp::Future<int64_t>> future = executor->Submit(Square, 7);
//   absl::StatusOr<int64_t> result = future->Result(absl::Seconds(10));   // 49
//
// As in Python: at most workers + 1 calls are handed to the pool at a time; the rest wait
// in the executor, where Cancel() can still take them back (a call already handed over
// runs). Shutdown(wait, cancel_futures) stops new submissions. Unlike Python's, a worker
// that dies does not break the executor: that one future fails with Aborted, naming the
// worker and how it died (the pool's own error), and the executor goes on.
//
// A task's error or exception is its future's error (task_exception.h keeps the type).
// Callbacks added with AddDoneCallback() run once the future is done: on the thread that
// completed it, or at once on the caller's if it already is.

#ifndef MP_POOL_EXECUTOR_H_
#define MP_POOL_EXECUTOR_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/annotated_mutex.h"
#include "pool/pool.h"
#include "pool/pool_options.h"
#include "pool/thread_pool.h"

namespace mp {
namespace internal {

// What every future shares, whatever its result type: its state, and who waits for it.
class FutureState {
 public:
  enum class Phase { kPending, kRunning, kCancelled, kFinished };

  // Someone waiting for several futures at once (WaitFor, AsCompleted): told of each
  // one that finishes.
  class Waiter {
   public:
    void Done(size_t index) ABSL_LOCKS_EXCLUDED(mutex_);
    // Waits until `enough(done so far)` or `deadline`; returns the indexes done so far.
    std::vector<size_t> WaitUntil(const std::function<bool(const std::vector<size_t>&)>& enough,
                                  absl::Time deadline) ABSL_LOCKS_EXCLUDED(mutex_);

   private:
    Mutex mutex_;
    CondVar changed_;
    std::vector<size_t> done_ ABSL_GUARDED_BY(mutex_);
  };

  Phase phase() const ABSL_LOCKS_EXCLUDED(mutex_);
  bool done() const { return IsDone(phase()); }
  // Pending -> running, as the executor hands the call to the pool; false if cancelled.
  bool StartRunning() ABSL_LOCKS_EXCLUDED(mutex_);
  // Pending -> cancelled; false once running or done.
  bool Cancel() ABSL_LOCKS_EXCLUDED(mutex_);
  // Waits until done or `deadline`; true if done.
  bool WaitDone(absl::Time deadline) const ABSL_LOCKS_EXCLUDED(mutex_);
  // Tells `waiter` (as `index`) when this future is done, or at once if it is.
  void AddWaiter(std::shared_ptr<Waiter> waiter, size_t index) ABSL_LOCKS_EXCLUDED(mutex_);
  void AddCallback(std::function<void()> callback) ABSL_LOCKS_EXCLUDED(mutex_);

 protected:
  // Marks the future finished (its result stored by the caller just before, under no
  // lock: readers read it only once done() says so, which this lock orders), then tells
  // the waiters and runs the callbacks, outside the lock.
  void Finish() ABSL_LOCKS_EXCLUDED(mutex_);
  static bool IsDone(Phase phase) { return phase == Phase::kCancelled || phase == Phase::kFinished; }

 private:
  void Completed(Phase phase) ABSL_LOCKS_EXCLUDED(mutex_);

  mutable Mutex mutex_;
  mutable CondVar changed_;
  Phase phase_ ABSL_GUARDED_BY(mutex_) = Phase::kPending;
  std::vector<std::pair<std::shared_ptr<Waiter>, size_t>> waiters_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::function<void()>> callbacks_ ABSL_GUARDED_BY(mutex_);
};

template <typename R>
class TypedFutureState : public FutureState {
 public:
  void Set(absl::StatusOr<R> result) {
    result_ = std::move(result);
    Finish();
  }
  // Only once done() and not cancelled.
  const absl::StatusOr<R>& result() const { return result_; }

 private:
  absl::StatusOr<R> result_ = absl::UnknownError("not finished");
};

}  // namespace internal

enum class ReturnWhen { kFirstCompleted, kFirstException, kAllCompleted };

template <typename R>
class Future {
 public:
  explicit Future(std::shared_ptr<internal::TypedFutureState<R>> state) : state_(std::move(state)) {}

  // The call's result, waiting up to `timeout`: DeadlineExceeded if it is not done by then
  // (Python's TimeoutError), Cancelled if it was cancelled, else the task's own error.
  absl::StatusOr<R> Result(absl::Duration timeout = absl::InfiniteDuration()) const {
    if (!state_->WaitDone(absl::Now() + timeout)) {
      return absl::DeadlineExceededError("the future is not done yet");
    }
    if (Cancelled()) return absl::CancelledError("the future was cancelled");
    return state_->result();
  }
  // Python's exception(): OK if the call succeeded, else its error (as Result()).
  absl::Status Exception(absl::Duration timeout = absl::InfiniteDuration()) const {
    return Result(timeout).status();
  }
  // Takes the call back if it has not been handed to a worker yet; false otherwise.
  bool Cancel() { return state_->Cancel(); }
  bool Cancelled() const { return state_->phase() == internal::FutureState::Phase::kCancelled; }
  bool Running() const { return state_->phase() == internal::FutureState::Phase::kRunning; }
  bool Done() const { return state_->done(); }
  // Runs `callback(*this)` once done (at once if it is).
  void AddDoneCallback(std::function<void(const Future&)> callback) {
    state_->AddCallback([future = *this, callback = std::move(callback)] { callback(future); });
  }

  const std::shared_ptr<internal::TypedFutureState<R>>& state() const { return state_; }

 private:
  std::shared_ptr<internal::TypedFutureState<R>> state_;
};

// Python's concurrent.futures.wait(): which of `futures` are done (by index, in the order
// they finished) and which not, once `return_when` holds or `timeout` passes.
struct DoneAndNotDone {
  std::vector<size_t> done;
  std::vector<size_t> not_done;
};
template <typename R>
DoneAndNotDone WaitFor(const std::vector<Future<R>>& futures,
                       absl::Duration timeout = absl::InfiniteDuration(),
                       ReturnWhen return_when = ReturnWhen::kAllCompleted) {
  auto waiter = std::make_shared<internal::FutureState::Waiter>();
  for (size_t i = 0; i < futures.size(); ++i) futures[i].state()->AddWaiter(waiter, i);
  auto failed = [&](size_t i) {
    return !futures[i].Cancelled() && !futures[i].state()->result().ok();
  };
  std::vector<size_t> done = waiter->WaitUntil(
      [&](const std::vector<size_t>& so_far) {
        if (so_far.size() == futures.size()) return true;
        if (return_when == ReturnWhen::kFirstCompleted) return !so_far.empty();
        if (return_when == ReturnWhen::kFirstException) {
          for (size_t i : so_far) {
            if (failed(i)) return true;
          }
        }
        return false;
      },
      absl::Now() + timeout);
  DoneAndNotDone result;
  std::vector<bool> is_done(futures.size(), false);
  for (size_t i : done) is_done[i] = true;
  result.done = std::move(done);
  for (size_t i = 0; i < futures.size(); ++i) {
    if (!is_done[i]) result.not_done.push_back(i);
  }
  return result;
}

// Python's as_completed(): the futures' indexes in the order they finish.
template <typename R>
class AsCompleted {
 public:
  explicit AsCompleted(const std::vector<Future<R>>& futures)
      : waiter_(std::make_shared<internal::FutureState::Waiter>()), total_(futures.size()) {
    for (size_t i = 0; i < futures.size(); ++i) futures[i].state()->AddWaiter(waiter_, i);
  }
  // The next future to finish (its index); OutOfRange once all were given; DeadlineExceeded
  // if none finishes within `timeout` (Python's TimeoutError).
  absl::StatusOr<size_t> Next(absl::Duration timeout = absl::InfiniteDuration()) {
    if (given_ == total_) return absl::OutOfRangeError("every future was given");
    std::vector<size_t> done = waiter_->WaitUntil(
        [&](const std::vector<size_t>& so_far) { return so_far.size() > given_; },
        absl::Now() + timeout);
    if (done.size() <= given_) return absl::DeadlineExceededError("no future finished in time");
    return done[given_++];
  }

 private:
  std::shared_ptr<internal::FutureState::Waiter> waiter_;
  size_t total_;
  size_t given_ = 0;
};

template <typename PoolType, typename Options>
class Executor {
 public:
  static absl::StatusOr<Executor> Create(Options options = {}) {
    absl::StatusOr<PoolType> pool = PoolType::Create(options);
    if (!pool.ok()) return pool.status();
    return Executor(std::make_unique<PoolType>(*std::move(pool)));
  }
  Executor(Executor&&) noexcept = default;
  Executor& operator=(Executor&&) noexcept = default;
  ~Executor() {
    if (core_ != nullptr) Shutdown(/*wait=*/true);
  }

  // Schedules task(args...). FailedPrecondition after Shutdown() (Python: RuntimeError).
  template <typename F, typename... Args>
  auto Submit(F task, const Args&... args)
      -> absl::StatusOr<Future<typename PoolType::template ResultOf<F, Args...>>> {
    using R = typename PoolType::template ResultOf<F, Args...>;
    auto state = std::make_shared<internal::TypedFutureState<R>>();
    Core* core = core_.get();
    absl::Status queued = core->Queue(
        state, [core, state, task, args...]() mutable {
          auto submitted = core->pool->ApplyAsyncWithCallbacks(
              {.on_success = [core, state](const R& value) { core->Finished([&] { state->Set(value); }); },
               .on_error = [core, state](const absl::Status& error) {
                 core->Finished([&] { state->Set(error); });
               }},
              task, args...);
          if (!submitted.ok()) core->Finished([&] { state->Set(submitted.status()); });
        });
    if (!queued.ok()) return queued;
    return Future<R>(std::move(state));
  }

  // Python's executor.map(), all at once: the results in order, or the first error.
  template <typename F, typename T>
  auto Map(F task, const std::vector<T>& inputs, MapOptions options = {}) {
    return core_->pool->Map(task, inputs, options);
  }

  // No more submissions. With cancel_futures, calls not yet handed to a worker are
  // cancelled; with wait, returns once every other call has finished and the workers
  // have exited.
  void Shutdown(bool wait = true, bool cancel_futures = false) { core_->Shutdown(wait, cancel_futures); }

  int workers() const { return core_->pool->workers(); }

 private:
  // The executor's state, on the heap so that moving the Executor moves nothing the
  // pool's callbacks point at.
  struct Core {
    explicit Core(std::unique_ptr<PoolType> owned) : pool(std::move(owned)) {
      feeder = std::thread([this] { Feed(); });
    }
    ~Core() {
      {
        internal::MutexLock lock(mutex);
        stopping = true;
      }
      changed.SignalAll();
      feeder.join();
    }

    absl::Status Queue(std::shared_ptr<internal::FutureState> state, std::function<void()> hand_over)
        ABSL_LOCKS_EXCLUDED(mutex) {
      internal::MutexLock lock(mutex);
      if (shut_down) {
        return absl::FailedPreconditionError("Submit() after Shutdown(): the executor takes no more work");
      }
      pending.push_back({std::move(state), std::move(hand_over)});
      changed.SignalAll();
      return absl::OkStatus();
    }

    // A call handed to the pool has finished: `finish` stores its result.
    template <typename Finish>
    void Finished(Finish finish) ABSL_LOCKS_EXCLUDED(mutex) {
      finish();
      internal::MutexLock lock(mutex);
      --in_flight;
      changed.SignalAll();
    }

    // The executor's own thread (Python's management thread): hands pending calls to the
    // pool, at most workers + 1 at a time, so that the rest can still be cancelled.
    void Feed() ABSL_LOCKS_EXCLUDED(mutex) {
      const int limit = pool->workers() + 1;
      internal::MutexLock lock(mutex);
      while (true) {
        while (!stopping && (pending.empty() || in_flight >= limit)) changed.Wait(mutex);
        if (stopping && (pending.empty() || in_flight >= limit)) return;
        Pending next = std::move(pending.front());
        pending.pop_front();
        changed.SignalAll();  // Shutdown() may be waiting for `pending` to empty
        if (!next.state->StartRunning()) continue;  // cancelled while it waited
        ++in_flight;
        mutex.Unlock();
        next.hand_over();
        mutex.Lock();
      }
    }

    void Shutdown(bool wait, bool cancel_futures) ABSL_LOCKS_EXCLUDED(mutex) {
      std::deque<Pending> cancelled;
      {
        internal::MutexLock lock(mutex);
        shut_down = true;
        if (cancel_futures) cancelled.swap(pending);
      }
      for (Pending& each : cancelled) each.state->Cancel();
      if (!wait) return;
      internal::MutexLock lock(mutex);
      while (!pending.empty() || in_flight > 0) changed.Wait(mutex);
    }

    struct Pending {
      std::shared_ptr<internal::FutureState> state;
      std::function<void()> hand_over;
    };

    internal::Mutex mutex;
    internal::CondVar changed;
    std::deque<Pending> pending ABSL_GUARDED_BY(mutex);
    int in_flight ABSL_GUARDED_BY(mutex) = 0;
    bool shut_down ABSL_GUARDED_BY(mutex) = false;
    bool stopping ABSL_GUARDED_BY(mutex) = false;
    std::thread feeder;
    // Last, so destroyed first: a pool ending its workers files their calls as failed,
    // which reaches Finished() and the members above.
    std::unique_ptr<PoolType> pool;
  };

  explicit Executor(std::unique_ptr<PoolType> pool) : core_(std::make_unique<Core>(std::move(pool))) {}

  std::unique_ptr<Core> core_;
};

// concurrent.futures.ProcessPoolExecutor: tasks are functions registered with
// MP_POOL_TASK, run in worker processes.
using ProcessPoolExecutor = Executor<Pool, PoolOptions>;
// concurrent.futures.ThreadPoolExecutor: any callable, on threads of this process.
using ThreadPoolExecutor = Executor<ThreadPool, ThreadPoolOptions>;

}  // namespace mp

#endif  // MP_POOL_EXECUTOR_H_
