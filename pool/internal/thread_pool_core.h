// ThreadPoolCore: the engine under mp::ThreadPool: N threads taking chunks of tasks from
// one queue, with Python's close/join/terminate phases. It runs TasksHere (engine.h):
// the typed layer's function runs a chunk and files its results, never encoded.

#ifndef MP_POOL_INTERNAL_THREAD_POOL_CORE_H_
#define MP_POOL_INTERNAL_THREAD_POOL_CORE_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/annotated_mutex.h"
#include "pool/internal/engine.h"
#include "pool/internal/job.h"
#include "process/life_record.h"

namespace mp::internal {

class ThreadPoolCore final : public Engine {
 public:
  explicit ThreadPoolCore(int threads);
  ~ThreadPoolCore() override;  // Terminate()s

  bool RunsTasksHere() const override { return true; }
  // FailedPrecondition once closed or terminated. (SubmitAndWait: Engine's, which waits
  // while the pool's threads file the results.)
  absl::Status Submit(const EngineCall& call) override;
  void Close() override;
  absl::Status Join(absl::Duration timeout) override;
  // Chunks not yet started fail with Cancelled; running ones finish (threads cannot be
  // killed).
  void Terminate() override;
  int workers() const override { return static_cast<int>(threads_.size()); }

 private:
  enum class Phase { kRunning, kClosing, kTerminating };
  // Tasks first .. first + count - 1 of a call.
  struct Chunk {
    std::shared_ptr<Job> job;
    std::shared_ptr<const std::function<bool(size_t, size_t)>> run;  // the call's TasksHere
    size_t first = 0;
    size_t count = 0;
  };

  void Serve();
  // Terminate() without the record's line: for Terminate() and the destructor.
  void Stop();
  // After filing a chunk: runs the job's done callback if that completed it.
  static void AfterFiling(Job& job, bool completed);

  // Every thread has exited.
  bool AllExitedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return exited_ == static_cast<int>(threads_.size());
  }

  Mutex mutex_;
  CondVar changed_;
  Phase phase_ ABSL_GUARDED_BY(mutex_) = Phase::kRunning;
  std::deque<Chunk> queue_ ABSL_GUARDED_BY(mutex_);
  int exited_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<std::thread> threads_;  // set by the constructor, then only joined
  const std::string record_id_ = NewPoolRecordId();  // in the pool's record (life_record.h)
  std::atomic<bool> joined_ = false;  // a Join() returned OK
};

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_THREAD_POOL_CORE_H_
