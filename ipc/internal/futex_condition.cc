#include "ipc/internal/futex_condition.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace mp::internal {
namespace {

// Not FUTEX_PRIVATE_FLAG: the word is shared between processes.
long Futex(std::atomic<uint32_t>* word, int operation, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), operation, value, timeout,
                 nullptr, FUTEX_BITSET_MATCH_ANY);
}

}  // namespace

bool FutexWait(std::atomic<uint32_t>& word, uint32_t expected, absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) {
    Futex(&word, FUTEX_WAIT_BITSET, expected, nullptr);
    return true;
  }
  // A deadline already past: no futex call at all. The kernel would still arm a timer
  // for it and could sleep for its slack (50 us), which a poll with a zero timeout (a
  // queue's Get(ZeroDuration()), say) must not pay.
  if (deadline <= absl::Now()) return false;
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline (plain FUTEX_WAIT
  // would take a relative one).
  timespec until = MonotonicTimespec(deadline);
  return !(Futex(&word, FUTEX_WAIT_BITSET, expected, &until) != 0 && errno == ETIMEDOUT);
}

void FutexWake(std::atomic<uint32_t>& word, int count) {
  Futex(&word, FUTEX_WAKE, static_cast<uint32_t>(count), nullptr);
}

absl::StatusOr<LockOutcome> FutexCondition::Wait(RobustMutex& mutex, absl::Time deadline) {
  // Read the sequence while still holding the mutex: a Notify() after we let go changes
  // it, and the kernel then refuses to put us to sleep on the old value.
  const uint32_t seen = sequence.load(std::memory_order_acquire);
  // Sequentially consistent, as in Notify(): either the notifier sees this waiter, or
  // this waiter's futex call sees the notifier's new sequence.
  waiters.fetch_add(1, std::memory_order_seq_cst);
  absl::Status unlocked = mutex.Unlock();
  if (!unlocked.ok()) {
    mutex.AssertHeld();  // not released: it is still the caller's
    waiters.fetch_sub(1, std::memory_order_relaxed);
    return unlocked;
  }
  bool timed_out = !FutexWait(sequence, seen, deadline);
  waiters.fetch_sub(1, std::memory_order_relaxed);
  absl::StatusOr<LockOutcome> relocked = mutex.Lock(absl::InfiniteFuture());
  // Held again, as the caller expects; if Lock() failed, the caller is told so and must
  // not use what it guards (FutexCondition's contract, futex_condition.h).
  mutex.AssertHeld();
  if (relocked.ok() && timed_out) {
    return absl::DeadlineExceededError("timed out waiting for a notification");
  }
  return relocked;
}

void FutexCondition::Notify(int count) {
  sequence.fetch_add(1, std::memory_order_seq_cst);
  if (waiters.load(std::memory_order_seq_cst) != 0) {
    FutexWake(sequence, count);
  }
}

void FutexCondition::NotifyAll() { Notify(INT_MAX); }

}  // namespace mp::internal
