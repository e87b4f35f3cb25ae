// Lock and RLock: mutual exclusion between processes, like Python's
// multiprocessing.Lock and RLock, that survives a holder being killed.
//
//   absl::StatusOr<mp::Lock> lock = mp::Lock::Create();
//   mp::Process child([&] {
//     absl::StatusOr<mp::LockGuard> held = lock->Acquire();
//     if (!held.ok()) return 1;
//     if (held->previous_owner_died()) RepairTheSharedData();
//     UpdateTheSharedData();
//     return 0;
//   });                                   // the guard releases the lock when it goes
//
// Holders are threads: a Lock held by one thread cannot be acquired again by it
// (FailedPrecondition, not a deadlock); an RLock can, and is released when every guard
// its holder took is gone.
//
// A process that dies holding the lock does not leave it locked. The kernel releases it
// and the next Acquire() succeeds with previous_owner_died() true: the data it guards may
// be half-updated, and this new owner is the one told to check it. (Python's Lock, a
// semaphore underneath, stays locked forever in that case.)
//
// Sharing: a forked child uses the Lock it inherited (capture it by reference). Any other
// process, e.g. a spawned one, attaches by name: Lock::Attach(lock.name()). The Lock that
// Create() returned owns the shared memory: destroying it unlinks the name, so other
// processes must attach before then. Destroy guards before their Lock.

#ifndef MP_IPC_LOCK_H_
#define MP_IPC_LOCK_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/internal/robust_mutex.h"
#include "ipc/internal/shared_state.h"

namespace mp {

class LockGuard;
namespace internal {
// Locks `mutex` for up to `timeout` and returns the guard that will unlock it: how every
// lock in ipc/ (Lock, Condition, SharedValue, Queue) hands out its guards.
absl::StatusOr<LockGuard> AcquireGuard(RobustMutex& mutex, absl::Duration timeout);
}  // namespace internal

// Holds a Lock or RLock from Acquire() until it is destroyed or Release()d.
class [[nodiscard]] LockGuard {
 public:
  LockGuard(LockGuard&& other) noexcept
      : mutex_(std::exchange(other.mutex_, nullptr)),
        previous_owner_died_(other.previous_owner_died_) {}
  LockGuard& operator=(LockGuard&& other) noexcept;
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  ~LockGuard() { (void)Release(); }

  // True if the process that held the lock before died holding it (see above).
  bool previous_owner_died() const { return previous_owner_died_; }

  // Releases now; later calls do nothing. FailedPrecondition if called from another
  // thread than the one that acquired.
  absl::Status Release();

 private:
  friend absl::StatusOr<LockGuard> internal::AcquireGuard(internal::RobustMutex&, absl::Duration);
  friend class Condition;  // marks previous_owner_died_ when Wait() relocks
  LockGuard(internal::RobustMutex* mutex, bool previous_owner_died)
      : mutex_(mutex), previous_owner_died_(previous_owner_died) {}

  internal::RobustMutex* mutex_;  // null once released
  bool previous_owner_died_;
};

class Lock {
 public:
  static absl::StatusOr<Lock> Create();
  // InvalidArgument if `name` holds something other than a Lock; NotFound if it is gone.
  static absl::StatusOr<Lock> Attach(const std::string& name);

  // Blocks until this thread holds the lock, or `timeout` passes: DeadlineExceeded (a
  // zero timeout tries once). FailedPrecondition if this thread holds it already.
  absl::StatusOr<LockGuard> Acquire(absl::Duration timeout = absl::InfiniteDuration());

  // Whether any process holds the lock now (Python 3.14's Lock.locked()); already stale
  // when it returns if others are active. A holder that died counts as not holding it.
  bool locked() const { return state_->mutex.HeldByAnyone(); }

  const std::string& name() const { return state_.name(); }

  struct State {
    static constexpr uint32_t kKind = 1;
    static constexpr char kTypeName[] = "Lock";
    internal::RobustMutex mutex;
    bool recursive = false;
  };

 protected:
  explicit Lock(internal::SharedState<State> state) : state_(std::move(state)) {}
  static absl::StatusOr<internal::SharedState<State>> CreateState(bool recursive);

 private:
  internal::SharedState<State> state_;
};

// A Lock that the thread holding it may acquire again.
class RLock : public Lock {
 public:
  static absl::StatusOr<RLock> Create();
  // InvalidArgument if `name` holds something other than an RLock.
  static absl::StatusOr<RLock> Attach(const std::string& name);

 private:
  explicit RLock(internal::SharedState<State> state) : Lock(std::move(state)) {}
};

}  // namespace mp

#endif  // MP_IPC_LOCK_H_
