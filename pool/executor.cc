#include "pool/executor.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace mp::internal {

void FutureState::Waiter::Done(size_t index) {
  MutexLock lock(mutex_);
  done_.push_back(index);
  changed_.SignalAll();
}

std::vector<size_t> FutureState::Waiter::WaitUntil(
    const std::function<bool(const std::vector<size_t>&)>& enough, absl::Time deadline) {
  MutexLock lock(mutex_);
  while (!enough(done_)) {
    if (!changed_.WaitUntil(mutex_, deadline)) break;
  }
  return done_;
}

FutureState::Phase FutureState::phase() const {
  MutexLock lock(mutex_);
  return phase_;
}

bool FutureState::StartRunning() {
  MutexLock lock(mutex_);
  if (phase_ != Phase::kPending) return false;
  phase_ = Phase::kRunning;
  return true;
}

bool FutureState::Cancel() {
  {
    MutexLock lock(mutex_);
    if (phase_ == Phase::kCancelled) return true;
    if (phase_ != Phase::kPending) return false;
  }
  Completed(Phase::kCancelled);
  return true;
}

bool FutureState::WaitDone(absl::Time deadline) const {
  MutexLock lock(mutex_);
  while (!IsDone(phase_)) {
    if (!changed_.WaitUntil(mutex_, deadline)) return IsDone(phase_);
  }
  return true;
}

void FutureState::AddWaiter(std::shared_ptr<Waiter> waiter, size_t index) {
  {
    MutexLock lock(mutex_);
    if (!IsDone(phase_)) {
      waiters_.emplace_back(std::move(waiter), index);
      return;
    }
  }
  waiter->Done(index);
}

void FutureState::AddCallback(std::function<void()> callback) {
  {
    MutexLock lock(mutex_);
    if (!IsDone(phase_)) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

void FutureState::Finish() { Completed(Phase::kFinished); }

void FutureState::Completed(Phase phase) {
  std::vector<std::pair<std::shared_ptr<Waiter>, size_t>> waiters;
  std::vector<std::function<void()>> callbacks;
  {
    MutexLock lock(mutex_);
    if (IsDone(phase_)) return;  // a cancel and a finish raced: the first one stands
    phase_ = phase;
    waiters.swap(waiters_);
    callbacks.swap(callbacks_);
    changed_.SignalAll();
  }
  for (auto& [waiter, index] : waiters) waiter->Done(index);
  for (std::function<void()>& callback : callbacks) callback();
}

}  // namespace mp::internal
