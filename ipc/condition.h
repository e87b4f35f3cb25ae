// Condition: a condition variable between processes, like Python's
// multiprocessing.Condition, with a lock of its own.
//
//   absl::StatusOr<mp::Condition> ready = mp::Condition::Create();
//   // waiter:
//   absl::StatusOr<mp::LockGuard> held = ready->Acquire();
//   absl::Status status = ready->WaitFor(*held, [&] { return shared->done; });
//   // notifier:
//   { absl::StatusOr<mp::LockGuard> held = ready->Acquire(); shared->done = true; }
//   ready->NotifyAll();
//
// The data that the condition is about must live in shared memory (SharedMemory,
// SharedValue), and be read and written only while holding the condition's lock.
//
// Wait() may return without a notification (a "spurious" wake-up), as condition variables
// everywhere may: test the condition in a loop, or use WaitFor(), which does.
//
// A waiter that is killed mid-wait does not disturb the others (see
// internal/futex_condition.h for why this is not a pthread_cond_t). A process that dies
// holding the lock is reported to the next holder as for Lock: previous_owner_died().
//
// Sharing: as for Lock (fork inherits; otherwise Attach(name) before the creator's
// Condition is destroyed).

#ifndef MP_IPC_CONDITION_H_
#define MP_IPC_CONDITION_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/internal/futex_condition.h"
#include "ipc/internal/robust_mutex.h"
#include "ipc/internal/shared_state.h"
#include "ipc/lock.h"

namespace mp {

class Condition {
 public:
  static absl::StatusOr<Condition> Create();
  static absl::StatusOr<Condition> Attach(const std::string& name);

  // Acquires the condition's lock, as Lock::Acquire() does.
  absl::StatusOr<LockGuard> Acquire(absl::Duration timeout = absl::InfiniteDuration());

  // With `held` from this condition's Acquire(): releases the lock, sleeps until notified
  // (or woken spuriously), and holds the lock again before returning, also when the
  // result is DeadlineExceeded. FailedPrecondition if `held` is not a live guard of this
  // condition's lock.
  absl::Status Wait(LockGuard& held, absl::Duration timeout = absl::InfiniteDuration());

  // Waits until `ready()` is true, evaluated with the lock held. DeadlineExceeded if
  // `timeout` passes first; the lock is held on return either way.
  template <typename Predicate>
  absl::Status WaitFor(LockGuard& held, Predicate ready,
                       absl::Duration timeout = absl::InfiniteDuration()) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!ready()) {
      absl::Status status = Wait(held, deadline - absl::Now());
      if (status.code() == absl::StatusCode::kDeadlineExceeded) {
        return ready() ? absl::OkStatus() : status;
      }
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // Wakes up to `count` waiters; NotifyAll() wakes all. Holding the lock is not required.
  void Notify(int count = 1) { state_->condition.Notify(count); }
  void NotifyAll() { state_->condition.NotifyAll(); }

  const std::string& name() const { return state_.name(); }

  struct State {
    static constexpr uint32_t kKind = 2;
    static constexpr char kTypeName[] = "Condition";
    internal::RobustMutex mutex;
    internal::FutexCondition condition;
  };

 private:
  explicit Condition(internal::SharedState<State> state) : state_(std::move(state)) {}

  internal::SharedState<State> state_;
};

}  // namespace mp

#endif  // MP_IPC_CONDITION_H_
