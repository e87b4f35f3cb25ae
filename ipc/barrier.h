// Barrier: `parties` processes wait until all of them have arrived, then all go on, like
// Python's multiprocessing.Barrier. It can be used again: the next round starts when the
// last one of a round arrives.
//
//   absl::StatusOr<mp::Barrier> start_line = mp::Barrier::Create(4);
//   // in each of 4 processes:
//   absl::StatusOr<int> arrival = start_line->Wait();   // 0..3, each index once per round
//
// An action (Python's `action`): a function that the last process to arrive runs, while
// the others still wait, before any of them goes on: the place to combine what the round
// produced. Each process gives its own handle the action (a forked child inherits it), so
// give every handle the same one: which process arrives last is up to the scheduler. An
// action that fails breaks the barrier: its error is the last arriver's result, and the
// others get FailedPrecondition. A process that dies inside it leaves the others waiting
// until their timeouts, as any participant that dies does; the next to take the lock sees
// that and breaks the barrier.
//
// Broken barriers: if a Wait() times out, or someone calls Abort(), the barrier breaks.
// Every process waiting in it, and every later Wait(), gets FailedPrecondition, until
// Reset(). So one stuck or dead participant makes the others fail instead of wait forever
// (give Wait() a timeout when a participant may die).
//
// Sharing: as for Lock (fork inherits; otherwise Attach(name) before the creator's
// Barrier is destroyed).

#ifndef MP_IPC_BARRIER_H_
#define MP_IPC_BARRIER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/internal/futex_condition.h"
#include "ipc/internal/robust_mutex.h"
#include "ipc/internal/shared_state.h"

namespace mp {

class Barrier {
 public:
  // What the last process to arrive runs before the round ends (see above).
  using Action = std::function<absl::Status()>;

  // InvalidArgument unless parties >= 1.
  static absl::StatusOr<Barrier> Create(int parties, Action action = nullptr);
  static absl::StatusOr<Barrier> Attach(const std::string& name, Action action = nullptr);

  // Waits until `parties` processes have called Wait() in this round. Returns this
  // caller's arrival index in the round, 0 to parties - 1. DeadlineExceeded if `timeout`
  // passes first (and the barrier breaks); FailedPrecondition if it is or becomes broken;
  // DataLoss if its counts in shared memory were written over (it breaks too).
  absl::StatusOr<int> Wait(absl::Duration timeout = absl::InfiniteDuration());

  // Breaks the barrier: current and future waiters fail until Reset().
  void Abort();
  // Mends a broken barrier and starts a fresh round. Processes waiting in the round it
  // ends get FailedPrecondition.
  void Reset();

  int parties() const { return parties_; }
  bool broken() const;
  // How many processes wait in the current round now (Python's n_waiting); already stale
  // when it returns if others are active. DataLoss if the shared count was written over.
  absl::StatusOr<int> n_waiting() const;

  const std::string& name() const { return state_.name(); }

  struct State {
    static constexpr uint32_t kKind = 5;
    static constexpr char kTypeName[] = "Barrier";
    internal::RobustMutex mutex;
    internal::FutexCondition all_arrived;
    int parties = 0;
    int arrived ABSL_GUARDED_BY(mutex) = 0;     // in the current round
    uint64_t round ABSL_GUARDED_BY(mutex) = 0;  // advances when a round completes
    uint64_t resets ABSL_GUARDED_BY(mutex) = 0; // advances on Reset()
    bool is_broken ABSL_GUARDED_BY(mutex) = false;
  };

 private:
  Barrier(internal::SharedState<State> state, int parties, Action action)
      : state_(std::move(state)), parties_(parties), action_(std::move(action)) {}

  // Under `state`'s lock, just taken: if its previous holder died while running the
  // action (the round still full), breaks the barrier; true if it is broken.
  bool BrokenByADeadActionLocked(State& state, bool previous_owner_died) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);

  internal::SharedState<State> state_;
  // From Create(), or checked once by Attach(): never read again from the shared state.
  // Wait() checks the arrivals against it: damage gives DataLoss, not a round that
  // never completes.
  int parties_;
  Action action_;  // this process's; empty for none
};

}  // namespace mp

#endif  // MP_IPC_BARRIER_H_
