#include "pool/internal/thread_pool_core.h"

#include <mutex>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "pool/internal/wait_for.h"

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
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return !queue_.empty() || phase_ != Phase::kRunning; });
    if (queue_.empty()) break;  // closing or terminating, nothing left
    Work work = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    work.run();
    lock.lock();
    --busy_;
  }
  ++exited_;
  changed_.notify_all();
}

absl::Status ThreadPoolCore::Submit(std::vector<Work> work) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (phase_ != Phase::kRunning) {
      return absl::FailedPreconditionError(
          "the pool is closed or terminated: it takes no more work");
    }
    for (Work& each : work) queue_.push_back(std::move(each));
  }
  changed_.notify_all();
  return absl::OkStatus();
}

void ThreadPoolCore::Close() {
  RecordPoolEvent(absl::StrCat("close pool=", record_id_));
  std::lock_guard<std::mutex> lock(mutex_);
  if (phase_ == Phase::kRunning) phase_ = Phase::kClosing;
  changed_.notify_all();
}

absl::Status ThreadPoolCore::Join(absl::Duration timeout) {
  absl::Status joined = [&] {
    std::unique_lock<std::mutex> lock(mutex_);
    if (phase_ == Phase::kRunning) {
      return absl::FailedPreconditionError("Join() needs Close() or Terminate() first");
    }
    auto finished = [&] { return exited_ == static_cast<int>(threads_.size()); };
    if (!WaitFor(changed_, lock, timeout, finished)) {
      return absl::DeadlineExceededError("Join(): the pool's work is not done yet");
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
    std::lock_guard<std::mutex> lock(mutex_);
    phase_ = Phase::kTerminating;
    cancelled.swap(queue_);
  }
  changed_.notify_all();
  for (Work& work : cancelled) {
    if (work.cancel) work.cancel();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return exited_ == static_cast<int>(threads_.size()); });
}

}  // namespace mp::internal
