#include "pool/internal/job.h"

#include <sys/mman.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pool/internal/wait_for.h"

namespace mp::internal {

void AdviseHugePages(void* data, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (bytes < 2 * kHuge) return;
  // Only advice: where the kernel has none to give (or huge pages are off), it is ignored.
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

bool Job::Filed() {
  // Waking a waiting thread is a syscall; Wait() needs only the last result (and not
  // even that while an on-done callback is still to run: running it wakes them), so the
  // others wake only threads streaming results.
  if (CompleteLocked() || streaming_waiters_ > 0) changed_.notify_all();
  return remaining_ == 0;
}

void Job::SetOnDone(std::function<void()> on_done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (remaining_ != 0) {
      on_done_ = std::move(on_done);
      on_done_pending_ = true;
      return;
    }
  }
  on_done();
}

std::function<void()> Job::TakeOnDone() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!on_done_) return nullptr;
  return [job = shared_from_this(), on_done = std::exchange(on_done_, nullptr)] {
    on_done();
    std::lock_guard<std::mutex> lock(job->mutex_);
    job->on_done_pending_ = false;
    job->changed_.notify_all();
  };
}

bool Job::Ready() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return CompleteLocked();
}

bool Job::Successful() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return CompleteLocked() && failed_ == 0;
}

bool Job::Wait(absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return WaitFor(changed_, lock, timeout, [&] { return CompleteLocked(); });
}

absl::StatusOr<size_t> Job::NextIndex(bool ordered, absl::Duration timeout) {
  // Completion order is known only if the job was made to record it.
  ordered = ordered || !record_completion_order_;
  std::unique_lock<std::mutex> lock(mutex_);
  if (handed_out_ == state_.size()) return absl::OutOfRangeError("no more results");
  auto available = [&] {
    return ordered ? state_[handed_out_] != kPending : !completion_order_.empty();
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
