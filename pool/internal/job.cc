#include "pool/internal/job.h"

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/cpu_relax.h"
#include "base/put_bug_back.h"
#include "process/cpu_count.h"
#include "process/life_record.h"

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
  if (CompleteLocked()) MarkCompleteLocked();
  if (CompleteLocked() || streaming_waiters_ > 0) changed_.SignalAll();
  return remaining_ == 0;
}

void Job::SetOnDone(std::function<void()> on_done) {
  {
    MutexLock lock(mutex_);
    if (remaining_ != 0) {
      on_done_ = std::move(on_done);
      on_done_pending_ = true;
      return;
    }
  }
  on_done();
}

std::function<void()> Job::TakeOnDone() {
  MutexLock lock(mutex_);
  if (!on_done_) return nullptr;
  return [job = shared_from_this(), on_done = std::exchange(on_done_, nullptr)] {
    on_done();
    MutexLock lock(job->mutex_);
    job->on_done_pending_ = false;
    if (job->CompleteLocked()) job->MarkCompleteLocked();
    job->changed_.SignalAll();
  };
}

void Job::MarkCompleteLocked() {
  complete_.store(true, std::memory_order_release);
  if (sentinel_.valid()) {
    const uint64_t one = 1;
    (void)::write(sentinel_.get(), &one, sizeof one);  // an eventfd: cannot block or fail here
  }
}

absl::StatusOr<int> Job::Sentinel() {
  MutexLock lock(mutex_);
  if (!sentinel_.valid()) {
    sentinel_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!sentinel_.valid()) return absl::ErrnoToStatus(errno, "eventfd");
    if (CompleteLocked()) MarkCompleteLocked();
  }
  return sentinel_.get();
}

bool Job::Ready() const {
  MutexLock lock(mutex_);
  return CompleteLocked();
}

bool Job::ResultsIn() const {
  MutexLock lock(mutex_);
  return remaining_ == 0;
}

bool Job::Successful() const {
  MutexLock lock(mutex_);
  return CompleteLocked() && failed_ == 0;
}

void Job::SpinUntilComplete(absl::Duration spin) const {
  // One CPU: whoever files the last result needs the CPU this would spin on.
  static const bool several_cpus = CpuCount() > 1;
  if (!several_cpus || spin <= absl::ZeroDuration()) return;
  const absl::Time give_up = absl::Now() + spin;
  for (int round = 1; !complete_.load(std::memory_order_acquire); ++round) {
    CpuRelax();
    if (round % 64 == 0 && absl::Now() > give_up) return;
  }
}

void Job::RecordAs(std::string pool_id) {
  MutexLock lock(mutex_);
  record_pool_ = std::move(pool_id);
}

bool Job::Wait(absl::Duration timeout) const {
  // Recorded only if it waited: a result that was in already costs one branch.
  const int64_t start_us = PoolRecordEnabled() && !Ready() ? PoolRecordMicros() : 0;
  const absl::Time deadline = absl::Now() + timeout;
  if (helper_ != nullptr && timeout > absl::ZeroDuration() &&
      !BugPutBack("waiters_never_collect") && !ResultsIn()) {
    helper_->CollectFor(*this, deadline);
  }
  SpinUntilComplete(std::min(timeout, kSpinBeforeSleeping));
  std::string record_pool;
  bool complete = true;
  {
    MutexLock lock(mutex_);
    while (!CompleteLocked()) {
      if (!changed_.WaitUntil(mutex_, deadline)) {
        complete = CompleteLocked();
        break;
      }
    }
    if (start_us != 0) record_pool = record_pool_;
  }
  // Written outside the lock: the collector needs it.
  if (!record_pool.empty()) RecordPoolWait(record_pool, start_us, /*collecting=*/false, /*timed_out=*/!complete);
  return complete;
}

absl::StatusOr<size_t> Job::NextIndex(bool ordered, absl::Duration timeout) {
  // Completion order is known only if the job was made to record it.
  ordered = ordered || !record_completion_order_;
  const absl::Time deadline = absl::Now() + timeout;
  MutexLock lock(mutex_);
  if (handed_out_ == tasks_) return absl::OutOfRangeError("no more results");
  auto available = [&] {
    mutex_.AssertHeld();
    return ordered ? state_[handed_out_] != kPending : !completion_order_.empty();
  };
  ++streaming_waiters_;
  bool arrived = available();
  while (!arrived && changed_.WaitUntil(mutex_, deadline)) arrived = available();
  if (!arrived) arrived = available();
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
