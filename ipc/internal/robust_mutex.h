// RobustMutex: a pthread mutex that lives in shared memory and survives the death of
// the process holding it.
//
// An ordinary mutex held by a process that is killed stays locked forever, and every
// other process waiting for it hangs. A robust one is on the kernel's list of what the
// dying thread held: the kernel releases it and the next Lock() returns EOWNERDEAD, so
// the new owner learns that the data the mutex guards may be half-updated. Lock()
// reports that as `previous_owner_died` after marking the mutex usable again
// (pthread_mutex_consistent), so no later owner is told twice.

#ifndef MP_IPC_INTERNAL_ROBUST_MUTEX_H_
#define MP_IPC_INTERNAL_ROBUST_MUTEX_H_

#include <pthread.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mp::internal {

struct LockOutcome {
  // The previous owner died holding the mutex; it is ours now, and consistent again.
  bool previous_owner_died = false;
};

// Placed in shared memory and Init()ed once, by the creator, before anyone else maps it.
// Never destroyed: it goes away with its memory.
//
// For clang's -Wthread-safety (.ci/run): what it guards is declared ABSL_GUARDED_BY(mutex).
// Lock() may fail, and its StatusOr is nothing the analysis can read, so a caller says
// AssertHeld() once Lock() returned OK; from there until Unlock() the guarded members
// may be used, and only there.
struct ABSL_LOCKABLE RobustMutex {
  // How many times Lock() tries before it sleeps: a few microseconds.
  static constexpr int kSpinAttempts = 200;

  pthread_mutex_t native;

  // `recursive`: the owning thread may lock it again (and must unlock as often);
  // otherwise locking it again is an error, not a deadlock.
  absl::Status Init(bool recursive);

  // Blocks until this thread holds the mutex or `deadline` passes (DeadlineExceeded).
  // FailedPrecondition if a non-recursive mutex is already held by this thread.
  absl::StatusOr<LockOutcome> Lock(absl::Time deadline);

  // Takes the mutex only if nobody holds it now, never waiting: Unavailable if someone
  // does (a holder that died does not count: it is taken, as by Lock()).
  absl::StatusOr<LockOutcome> TryLock();

  // FailedPrecondition if this thread does not hold it.
  absl::Status Unlock() ABSL_UNLOCK_FUNCTION();

  // Whether a live thread, of any process, holds it now; already stale when it returns.
  // Read without locking, so it never takes the news that an owner died from the next
  // Lock().
  bool HeldByAnyone() const;

  // Tells the analysis that this thread holds the mutex: call it right after a Lock()
  // that returned OK. (Not checked at run time: it costs nothing.)
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

 private:
  // What pthread's answer `error` to a lock or trylock means.
  absl::StatusOr<LockOutcome> OutcomeOf(int error);
};

// `deadline` as an absolute CLOCK_MONOTONIC time, which the wall clock's jumps do not
// move. A deadline in the past gives the current time.
timespec MonotonicTimespec(absl::Time deadline);

}  // namespace mp::internal

#endif  // MP_IPC_INTERNAL_ROBUST_MUTEX_H_
