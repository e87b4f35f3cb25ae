#include "pool/internal/job.h"

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pool/internal/wait_for.h"

namespace mp::internal {
bool Job::Complete(size_t index, absl::StatusOr<std::string> result) {
  std::vector<absl::StatusOr<std::string>> one;
  one.push_back(std::move(result));
  return CompleteAll(index, std::move(one));
}

bool Job::CompleteAll(size_t first, std::vector<absl::StatusOr<std::string>> results) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool changed = false;
  for (size_t i = 0; i < results.size(); ++i) {
    const size_t index = first + i;
    if (index >= results_.size() || results_[index].has_value()) continue;
    results_[index] = std::move(results[i]);
    completion_order_.push_back(index);
    --remaining_;
    changed = true;
  }
  // Waking a waiting thread is a syscall; Wait() needs only the last result, so the
  // others wake only threads streaming results.
  if (changed && (remaining_ == 0 || streaming_waiters_ > 0)) changed_.notify_all();
  return changed && remaining_ == 0;
}

void Job::SetOnDone(std::function<void()> on_done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (remaining_ != 0) {
      on_done_ = std::move(on_done);
      return;
    }
  }
  on_done();
}

std::function<void()> Job::TakeOnDone() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(on_done_, nullptr);
}

bool Job::Ready() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return remaining_ == 0;
}

bool Job::Wait(absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return WaitFor(changed_, lock, timeout, [&] { return remaining_ == 0; });
}

absl::StatusOr<size_t> Job::NextIndex(bool ordered, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (handed_out_ == results_.size()) return absl::OutOfRangeError("no more results");
  auto available = [&] {
    return ordered ? results_[handed_out_].has_value() : !completion_order_.empty();
  };
  ++streaming_waiters_;
  const bool arrived = WaitFor(changed_, lock, timeout, available);
  --streaming_waiters_;
  if (!arrived) return absl::DeadlineExceededError("timed out waiting for the next result");
  size_t index = handed_out_;
  if (!ordered) {
    index = completion_order_.front();
    completion_order_.pop_front();
  }
  ++handed_out_;
  return index;
}

}  // namespace mp::internal
