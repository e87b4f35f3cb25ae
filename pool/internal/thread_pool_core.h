// ThreadPoolCore: the untyped engine under mp::ThreadPool: N threads taking closures from
// one queue, with Python's close/join/terminate phases.

#ifndef MP_POOL_INTERNAL_THREAD_POOL_CORE_H_
#define MP_POOL_INTERNAL_THREAD_POOL_CORE_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pool/internal/life_record.h"
#include "process/internal/annotated_mutex.h"

namespace mp::internal {

class ThreadPoolCore {
 public:
  // A unit of work. `cancel` runs instead of `run` if the pool is terminated first.
  struct Work {
    std::function<void()> run;
    std::function<void()> cancel;
  };

  explicit ThreadPoolCore(int threads);
  ~ThreadPoolCore();  // Terminate()s

  // FailedPrecondition once closed or terminated.
  absl::Status Submit(std::vector<Work> work);
  void Close();
  absl::Status Join(absl::Duration timeout);
  // Work not yet started is cancelled; running work finishes (threads cannot be killed).
  void Terminate();
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  enum class Phase { kRunning, kClosing, kTerminating };
  void Serve();
  // Terminate() without the record's line: for Terminate() and the destructor.
  void Stop();

  // Every thread has exited.
  bool AllExitedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return exited_ == static_cast<int>(threads_.size());
  }

  Mutex mutex_;
  CondVar changed_;
  Phase phase_ ABSL_GUARDED_BY(mutex_) = Phase::kRunning;
  std::deque<Work> queue_ ABSL_GUARDED_BY(mutex_);
  int busy_ ABSL_GUARDED_BY(mutex_) = 0;
  int exited_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<std::thread> threads_;  // set by the constructor, then only joined
  const std::string record_id_ = NewPoolRecordId();  // in the pool's record (life_record.h)
  std::atomic<bool> joined_ = false;  // a Join() returned OK
};

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_THREAD_POOL_CORE_H_
