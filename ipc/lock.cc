#include "ipc/lock.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/deadline.h"
#include "base/status_macros.h"

namespace mp {
namespace internal {

absl::StatusOr<LockGuard> AcquireGuard(RobustMutex& mutex, absl::Duration timeout) {
  MP_RETURN_IF_ERROR(CheckTimeout(timeout, "Acquire()"));
  MP_ASSIGN_OR_RETURN(LockOutcome outcome, mutex.Lock(absl::Now() + timeout));
  return LockGuard(&mutex, outcome.previous_owner_died);
}

}  // namespace internal

LockGuard& LockGuard::operator=(LockGuard&& other) noexcept {
  if (this != &other) {
    (void)Release();
    mutex_ = std::exchange(other.mutex_, nullptr);
    previous_owner_died_ = other.previous_owner_died_;
  }
  return *this;
}

absl::Status LockGuard::Release() {
  if (mutex_ == nullptr) return absl::OkStatus();
  mutex_->AssertHeld();  // a guard holds its mutex until it is released
  absl::Status status = mutex_->Unlock();
  if (status.ok()) mutex_ = nullptr;
  return status;
}

absl::StatusOr<internal::SharedState<Lock::State>> Lock::CreateState(bool recursive) {
  return internal::SharedState<State>::Create(/*extra_bytes=*/0, [&](State& state) {
    state.recursive = recursive;
    return state.mutex.Init(recursive);
  });
}

absl::StatusOr<Lock> Lock::Create() {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state, CreateState(/*recursive=*/false));
  return Lock(std::move(state));
}

absl::StatusOr<Lock> Lock::Attach(const std::string& name) {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Attach(name));
  if (state->recursive) return absl::InvalidArgumentError(name + " holds an RLock, not a Lock");
  return Lock(std::move(state));
}

absl::StatusOr<LockGuard> Lock::Acquire(absl::Duration timeout) {
  return internal::AcquireGuard(state_->mutex, timeout);
}

absl::StatusOr<RLock> RLock::Create() {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state, CreateState(/*recursive=*/true));
  return RLock(std::move(state));
}

absl::StatusOr<RLock> RLock::Attach(const std::string& name) {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Attach(name));
  if (!state->recursive) return absl::InvalidArgumentError(name + " holds a Lock, not an RLock");
  return RLock(std::move(state));
}

}  // namespace mp
