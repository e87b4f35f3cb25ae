#include "ipc/condition.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/status_macros.h"

namespace mp {

absl::StatusOr<Condition> Condition::Create() {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Create(/*extra_bytes=*/0, [](State& state) {
                        return state.mutex.Init(/*recursive=*/false);
                      }));
  return Condition(std::move(state));
}

absl::StatusOr<Condition> Condition::Attach(const std::string& name) {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Attach(name));
  return Condition(std::move(state));
}

absl::StatusOr<LockGuard> Condition::Acquire(absl::Duration timeout) {
  return internal::AcquireGuard(state_->mutex, timeout);
}

absl::Status Condition::Wait(LockGuard& held, absl::Duration timeout) {
  if (held.mutex_ != &state_->mutex) {
    return absl::FailedPreconditionError(
        "Condition::Wait() needs the guard from this condition's own Acquire(), still held");
  }
  state_->mutex.AssertHeld();  // by `held`
  // A negative timeout (a deadline already passed, in WaitFor) just checks for time out.
  absl::StatusOr<internal::LockOutcome> outcome = state_->condition.Wait(
      state_->mutex, absl::Now() + std::max(timeout, absl::ZeroDuration()));
  if (outcome.ok() && outcome->previous_owner_died) held.previous_owner_died_ = true;
  return outcome.status();
}

}  // namespace mp
