// FutexCondition: a condition variable for processes that may die while waiting.
//
// Why not a process-shared pthread_cond_t: glibc's condition variable keeps counts of its
// waiters inside the shared object, and a waiter killed in the middle of a wait never
// takes itself off them, after which a signal or a destroy can wait for it forever. This
// one keeps only a sequence number: Wait() sleeps in the kernel (futex) until the number
// changes, and a waiter that dies simply is not there any more. The waiter count below is
// a hint that spares Notify() a syscall when nobody waits; a dead waiter only makes it
// too high, which costs a syscall, never a lost wake-up.
//
// As with any condition variable, a Wait() may return without a Notify(): callers wait in
// a loop on the condition itself.

#ifndef MP_IPC_INTERNAL_FUTEX_CONDITION_H_
#define MP_IPC_INTERNAL_FUTEX_CONDITION_H_

#include <atomic>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/internal/robust_mutex.h"

namespace mp::internal {

// Zero-filled memory is a valid FutexCondition.
struct FutexCondition {
  std::atomic<uint32_t> sequence;
  std::atomic<uint32_t> waiters;

  // Called with `mutex` held: releases it, sleeps until a Notify (or a spurious wake-up,
  // or `deadline`), and holds `mutex` again on return, even when the status is
  // DeadlineExceeded. `previous_owner_died` is reported as RobustMutex::Lock does. Any
  // other error means the mutex could not be taken back: it is not held.
  absl::StatusOr<LockOutcome> Wait(RobustMutex& mutex, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex);

  // Wakes up to `count` waiters.
  void Notify(int count);
  void NotifyAll();
};

// The two futex calls underneath, for objects that wait on a word of their own.
// FutexWait sleeps while `*word == expected`, until woken, `deadline`, or a spurious
// wake-up; returns false if the deadline passed.
bool FutexWait(std::atomic<uint32_t>& word, uint32_t expected, absl::Time deadline);
// Wakes up to `count` processes sleeping on `word`.
void FutexWake(std::atomic<uint32_t>& word, int count);

static_assert(std::atomic<uint32_t>::is_always_lock_free,
              "futexes need plain 32-bit words in shared memory");

}  // namespace mp::internal

#endif  // MP_IPC_INTERNAL_FUTEX_CONDITION_H_
