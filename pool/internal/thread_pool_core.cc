#include "pool/internal/thread_pool_core.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace mp::internal {

ThreadPoolCore::ThreadPoolCore(int threads) {
  RecordPoolEvent(absl::StrCat("create pool=", record_id_, " engine=threads workers=", threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back(&ThreadPoolCore::Serve, this);
}

ThreadPoolCore::~ThreadPoolCore() {
  if (!joined_) RecordPoolEvent(absl::StrCat("destroy pool=", record_id_, " without=join"));
  Stop();
  for (std::thread& thread : threads_) thread.join();
}

void ThreadPoolCore::Serve() {
  MutexLock lock(mutex_);
  while (true) {
    while (queue_.empty() && phase_ == Phase::kRunning) changed_.Wait(mutex_);
    if (queue_.empty()) break;  // closing or terminating, nothing left
    Work work = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    mutex_.Unlock();
    work.run();
    mutex_.Lock();
    --busy_;
  }
  ++exited_;
  changed_.SignalAll();
}

absl::Status ThreadPoolCore::Submit(std::vector<Work> work) {
  {
    MutexLock lock(mutex_);
    if (phase_ != Phase::kRunning) {
      return absl::FailedPreconditionError(
          "the pool is closed or terminated: it takes no more work");
    }
    for (Work& each : work) queue_.push_back(std::move(each));
  }
  changed_.SignalAll();
  return absl::OkStatus();
}

void ThreadPoolCore::Close() {
  RecordPoolEvent(absl::StrCat("close pool=", record_id_));
  MutexLock lock(mutex_);
  if (phase_ == Phase::kRunning) phase_ = Phase::kClosing;
  changed_.SignalAll();
}

absl::Status ThreadPoolCore::Join(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status joined = [&] {
    MutexLock lock(mutex_);
    if (phase_ == Phase::kRunning) {
      return absl::FailedPreconditionError("Join() needs Close() or Terminate() first");
    }
    while (!AllExitedLocked()) {
      if (!changed_.WaitUntil(mutex_, deadline) && !AllExitedLocked()) {
        return absl::DeadlineExceededError("Join(): the pool's work is not done yet");
      }
    }
    return absl::OkStatus();
  }();
  if (joined.ok()) joined_ = true;
  RecordPoolEvent(absl::StrCat("join pool=", record_id_, " status=",
                               absl::StatusCodeToString(joined.code())));
  return joined;
}

void ThreadPoolCore::Terminate() {
  RecordPoolEvent(absl::StrCat("terminate pool=", record_id_));
  Stop();
}

void ThreadPoolCore::Stop() {
  std::deque<Work> cancelled;
  {
    MutexLock lock(mutex_);
    phase_ = Phase::kTerminating;
    cancelled.swap(queue_);
  }
  changed_.SignalAll();
  for (Work& work : cancelled) {
    if (work.cancel) work.cancel();
  }
  MutexLock lock(mutex_);
  while (!AllExitedLocked()) changed_.Wait(mutex_);
}

}  // namespace mp::internal
