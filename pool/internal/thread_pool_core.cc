#include "pool/internal/thread_pool_core.h"

#include <mutex>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pool/internal/wait_for.h"

namespace mp::internal {

ThreadPoolCore::ThreadPoolCore(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back(&ThreadPoolCore::Serve, this);
}

ThreadPoolCore::~ThreadPoolCore() {
  Terminate();
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
  std::lock_guard<std::mutex> lock(mutex_);
  if (phase_ == Phase::kRunning) phase_ = Phase::kClosing;
  changed_.notify_all();
}

absl::Status ThreadPoolCore::Join(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (phase_ == Phase::kRunning) {
    return absl::FailedPreconditionError("Join() needs Close() or Terminate() first");
  }
  auto finished = [&] { return exited_ == static_cast<int>(threads_.size()); };
  if (!WaitFor(changed_, lock, timeout, finished)) {
    return absl::DeadlineExceededError("Join(): the pool's work is not done yet");
  }
  return absl::OkStatus();
}

void ThreadPoolCore::Terminate() {
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
