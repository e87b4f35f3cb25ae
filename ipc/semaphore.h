// Semaphore: a counter between processes, like Python's multiprocessing.Semaphore.
// Acquire() takes one unit, waiting while there is none; Release() gives one back.
//
//   absl::StatusOr<mp::Semaphore> slots = mp::Semaphore::Create(4);   // 4 at a time
//   absl::Status status = slots->Acquire();  ...  (void)slots->Release();
//
// Unlike a Lock, a semaphore has no owner: any process may Release(), and a process that
// dies after Acquire() does not give its unit back. Use a Lock for mutual exclusion, and
// a semaphore to count resources or signal between processes.
//
// Sharing: as for Lock (fork inherits; otherwise Attach(name) before the creator's
// Semaphore is destroyed). It is a POSIX sem_t in shared memory.

#ifndef MP_IPC_SEMAPHORE_H_
#define MP_IPC_SEMAPHORE_H_

#include <semaphore.h>

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/internal/robust_mutex.h"
#include "ipc/internal/shared_state.h"

namespace mp {

class Semaphore {
 public:
  // InvalidArgument unless 0 <= initial_value <= SEM_VALUE_MAX.
  static absl::StatusOr<Semaphore> Create(int64_t initial_value);
  static absl::StatusOr<Semaphore> Attach(const std::string& name);

  // Takes one unit, waiting up to `timeout` for one (DeadlineExceeded; zero tries once).
  absl::Status Acquire(absl::Duration timeout = absl::InfiniteDuration());

  // Gives one unit back, waking a waiter. OutOfRange at SEM_VALUE_MAX; for a
  // BoundedSemaphore, FailedPrecondition if that would pass its initial value.
  absl::Status Release();

  // The units available now; already stale when it returns if others are active.
  int value() const;

  const std::string& name() const { return state_.name(); }

  struct State {
    static constexpr uint32_t kKind = 3;
    static constexpr char kTypeName[] = "Semaphore";
    sem_t semaphore;
    // A BoundedSemaphore's initial value, which Release() may not pass; 0: no bound.
    // Set at Create(), never written after.
    int64_t bound = 0;
    // Held by Release() of a bounded semaphore around its check and post, so that two
    // releasers cannot both see room for one more. Acquire() does not take it.
    internal::RobustMutex release_lock;
  };

 protected:
  explicit Semaphore(internal::SharedState<State> state) : state_(std::move(state)) {}
  static absl::StatusOr<internal::SharedState<State>> CreateState(int64_t initial_value,
                                                                 int64_t bound);
  const State& state() const { return *state_; }

 private:
  static absl::Status Post(sem_t& semaphore);

  internal::SharedState<State> state_;
};

// A Semaphore that may not be released above its initial value: a release without a
// matching acquire is a bug it reports (FailedPrecondition), where a Semaphore would
// silently grow (Python's BoundedSemaphore raises ValueError). Unlike CPython's, whose
// check is not atomic with the release, two processes releasing at once cannot pass it.
class BoundedSemaphore : public Semaphore {
 public:
  // InvalidArgument unless 1 <= initial_value <= SEM_VALUE_MAX.
  static absl::StatusOr<BoundedSemaphore> Create(int64_t initial_value);
  // InvalidArgument if `name` holds a Semaphore without a bound.
  static absl::StatusOr<BoundedSemaphore> Attach(const std::string& name);

  int64_t bound() const { return state().bound; }

 private:
  explicit BoundedSemaphore(internal::SharedState<State> state) : Semaphore(std::move(state)) {}
};

}  // namespace mp

#endif  // MP_IPC_SEMAPHORE_H_
