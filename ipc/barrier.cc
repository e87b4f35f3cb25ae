#include "ipc/barrier.h"

#include <string>
#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/deadline.h"
#include "base/status_macros.h"

namespace mp {
namespace {

absl::Status BrokenError() {
  return absl::FailedPreconditionError(
      "the barrier is broken (a Wait() timed out, or Abort() or Reset() was called); "
      "Reset() it to use it again");
}

}  // namespace

absl::StatusOr<Barrier> Barrier::Create(int parties, Action action) {
  if (parties < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Barrier::Create(", parties, "): at least one party is needed"));
  }
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Create(/*extra_bytes=*/0, [&](State& state) {
                        state.parties = parties;
                        return state.mutex.Init(/*recursive=*/false);
                      }));
  return Barrier(std::move(state), parties, std::move(action));
}

absl::StatusOr<Barrier> Barrier::Attach(const std::string& name, Action action) {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Attach(name));
  const int parties = state->parties;  // read once: from here on, ours is the truth
  if (parties < 1) return absl::DataLossError(absl::StrCat(name, " holds a damaged barrier"));
  return Barrier(std::move(state), parties, std::move(action));
}

bool Barrier::BrokenByADeadActionLocked(State& state, bool previous_owner_died) const {
  if (previous_owner_died && state.arrived == parties_) {
    state.is_broken = true;
    state.arrived = 0;
  }
  return state.is_broken;
}

absl::StatusOr<int> Barrier::Wait(absl::Duration timeout) {
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Wait()"));
  const absl::Time deadline = absl::Now() + timeout;
  State& state = *state_;
  // The barrier's own mutex is held only inside these calls: for a few instructions, or
  // while the last arriver runs the action. A holder that died in those instructions left
  // the counts as they were; one that died in the action left the round full, and breaks it.
  MP_ASSIGN_OR_RETURN(internal::LockOutcome locked, state.mutex.Lock(absl::InfiniteFuture()));
  state.mutex.AssertHeld();
  if (BrokenByADeadActionLocked(state, locked.previous_owner_died)) {
    (void)state.mutex.Unlock();
    state.all_arrived.NotifyAll();
    return BrokenError();
  }
  if (state.parties != parties_ || state.arrived < 0 || state.arrived >= parties_) {
    // Written over by some process: this round can never complete. Break the barrier,
    // so that those waiting in it wake (with FailedPrecondition) rather than wait forever.
    const std::string why = absl::StrCat(
        "the barrier ", state_.name(), " is damaged: its shared state says ", state.arrived,
        " of ", state.parties, " parties arrived, for a barrier of ", parties_,
        " (did a process write over memory it does not own?)");
    state.is_broken = true;
    (void)state.mutex.Unlock();
    state.all_arrived.NotifyAll();
    return absl::DataLossError(why);
  }
  const int index = state.arrived++;
  if (state.arrived == parties_) {  // the last one runs the action and opens the barrier
    const absl::Status acted = action_ ? action_() : absl::OkStatus();
    state.arrived = 0;
    if (acted.ok()) {
      ++state.round;
    } else {
      state.is_broken = true;
    }
    (void)state.mutex.Unlock();
    state.all_arrived.NotifyAll();
    if (!acted.ok()) return acted;
    return index;
  }
  const uint64_t my_round = state.round;
  const uint64_t my_resets = state.resets;
  auto still_waiting = [&] {
    state.mutex.AssertHeld();  // called only under it, below
    return state.round == my_round && state.resets == my_resets && !state.is_broken;
  };
  absl::Status waited;
  while (still_waiting() && waited.ok()) {
    absl::StatusOr<internal::LockOutcome> woken = state.all_arrived.Wait(state.mutex, deadline);
    waited = woken.status();
    if (woken.ok()) BrokenByADeadActionLocked(state, woken->previous_owner_died);
  }
  absl::Status result;
  if (state.resets != my_resets || state.is_broken) {
    result = BrokenError();
  } else if (state.round != my_round) {
    result = absl::OkStatus();  // completed, even if the deadline passed at the same time
  } else if (waited.code() == absl::StatusCode::kDeadlineExceeded) {
    state.is_broken = true;  // the others would otherwise wait for us forever
    state.all_arrived.NotifyAll();
    result = absl::DeadlineExceededError("timed out waiting at the barrier; it is now broken");
  } else {
    result = waited;
  }
  (void)state.mutex.Unlock();
  if (!result.ok()) return result;
  return index;
}

void Barrier::Abort() {
  State& state = *state_;
  if (!state.mutex.Lock(absl::InfiniteFuture()).ok()) return;
  state.mutex.AssertHeld();
  state.is_broken = true;
  (void)state.mutex.Unlock();
  state.all_arrived.NotifyAll();
}

void Barrier::Reset() {
  State& state = *state_;
  if (!state.mutex.Lock(absl::InfiniteFuture()).ok()) return;
  state.mutex.AssertHeld();
  // Waiters of the ended round see `resets` change and fail rather than pass.
  state.is_broken = false;
  state.arrived = 0;
  ++state.resets;
  (void)state.mutex.Unlock();
  state.all_arrived.NotifyAll();
}

bool Barrier::broken() const {
  State& state = *state_;
  if (!state.mutex.Lock(absl::InfiniteFuture()).ok()) return true;
  state.mutex.AssertHeld();
  bool is_broken = state.is_broken;
  (void)state.mutex.Unlock();
  return is_broken;
}

absl::StatusOr<int> Barrier::n_waiting() const {
  State& state = *state_;
  if (absl::Status locked = state.mutex.Lock(absl::InfiniteFuture()).status(); !locked.ok()) {
    return locked;
  }
  state.mutex.AssertHeld();
  const int arrived = state.arrived;
  (void)state.mutex.Unlock();
  if (arrived < 0 || arrived >= parties_) {
    return absl::DataLossError(absl::StrCat("the barrier ", state_.name(), " is damaged: its shared "
                                            "state says ", arrived, " of ", parties_, " wait"));
  }
  return arrived;
}

}  // namespace mp
