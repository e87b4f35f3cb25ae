#include "ipc/internal/robust_mutex.h"

#include <linux/futex.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/cpu_relax.h"
#include "base/put_bug_back.h"

namespace mp::internal {

absl::Status RobustMutex::Init(bool recursive) {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
  if (!BugPutBack("lock_not_robust")) {
    pthread_mutexattr_setrobust(&attributes, PTHREAD_MUTEX_ROBUST);
  }
  pthread_mutexattr_settype(&attributes,
                            recursive ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_ERRORCHECK);
  int error = pthread_mutex_init(&native, &attributes);
  pthread_mutexattr_destroy(&attributes);
  if (error != 0) return absl::ErrnoToStatus(error, "pthread_mutex_init");
  return absl::OkStatus();
}

timespec MonotonicTimespec(absl::Time deadline) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
  // Saturates rather than overflows for deadlines centuries away.
  return absl::ToTimespec(absl::DurationFromTimespec(now) + left);
}

absl::StatusOr<LockOutcome> RobustMutex::Lock(absl::Time deadline) {
  // Spin briefly first. Our critical sections are short, and a holder on another CPU is
  // usually done within a microsecond or two; sleeping in the kernel instead would cost a
  // wake-up, tens of microseconds on a VM. (glibc's adaptive mutexes spin like this, but
  // cannot be robust.)
  int error = EBUSY;
  for (int attempt = 0; attempt < kSpinAttempts && error == EBUSY; ++attempt) {
    error = pthread_mutex_trylock(&native);
    if (error == EBUSY) CpuRelax();
  }
  if (error != EBUSY) {
    // Locked, or an answer that the blocking call would give too.
  } else if (deadline == absl::InfiniteFuture()) {
    error = pthread_mutex_lock(&native);
  } else {
#ifdef __SANITIZE_THREAD__
    // ThreadSanitizer (GCC 12) does not intercept pthread_mutex_clocklock: it would miss
    // this lock and then report its unlock as an error. timedlock it knows; its deadline
    // is on the wall clock, which only matters if that clock is set during the wait.
    const timespec until = absl::ToTimespec(deadline);
    error = pthread_mutex_timedlock(&native, &until);
#else
    const timespec until = MonotonicTimespec(deadline);
    error = pthread_mutex_clocklock(&native, CLOCK_MONOTONIC, &until);
#endif
  }
  return OutcomeOf(error);
}

absl::StatusOr<LockOutcome> RobustMutex::TryLock() {
  const int error = pthread_mutex_trylock(&native);
  if (error == EBUSY) return absl::UnavailableError("the lock is held");
  return OutcomeOf(error);
}

absl::StatusOr<LockOutcome> RobustMutex::OutcomeOf(int error) {
  switch (error) {
    case 0:
      return LockOutcome{};
    case EOWNERDEAD:
      pthread_mutex_consistent(&native);
      return LockOutcome{.previous_owner_died = true};
    case ETIMEDOUT:
      return absl::DeadlineExceededError("timed out waiting for the lock");
    case EDEADLK:
      return absl::FailedPreconditionError(
          "this thread already holds the lock; a lock that its holder may take again is an "
          "RLock");
    case ENOTRECOVERABLE:
      return absl::DataLossError(
          "the lock is unusable: an owner died holding it and it was never made consistent");
    default:
      return absl::ErrnoToStatus(error, "pthread_mutex_lock");
  }
}

bool RobustMutex::HeldByAnyone() const {
  // A robust mutex follows the kernel's robust-futex protocol: its futex word holds the
  // owner's thread id (FUTEX_TID_MASK), or 0, plus the WAITERS and OWNER_DIED bits. When
  // an owner dies the kernel clears the id and sets OWNER_DIED: held by nobody alive.
  const int word = __atomic_load_n(&native.__data.__lock, __ATOMIC_RELAXED);
  return (static_cast<unsigned>(word) & FUTEX_TID_MASK) != 0;
}

absl::Status RobustMutex::Unlock() {
  int error = pthread_mutex_unlock(&native);
  if (error == EPERM) {
    return absl::FailedPreconditionError("this thread does not hold the lock it releases");
  }
  if (error != 0) return absl::ErrnoToStatus(error, "pthread_mutex_unlock");
  return absl::OkStatus();
}

}  // namespace mp::internal
