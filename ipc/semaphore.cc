#include "ipc/semaphore.h"

#include <semaphore.h>
#include <time.h>

#include <cerrno>
#include <climits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/deadline.h"
#include "base/status_macros.h"
#include "ipc/internal/robust_mutex.h"

namespace mp {

absl::StatusOr<internal::SharedState<Semaphore::State>> Semaphore::CreateState(int64_t initial_value,
                                                                               int64_t bound) {
  return internal::SharedState<State>::Create(/*extra_bytes=*/0, [&](State& state) {
    if (sem_init(&state.semaphore, /*pshared=*/1, static_cast<unsigned>(initial_value)) != 0) {
      return absl::ErrnoToStatus(errno, "sem_init");
    }
    state.bound = bound;
    return state.release_lock.Init(/*recursive=*/false);
  });
}

absl::StatusOr<Semaphore> Semaphore::Create(int64_t initial_value) {
  if (initial_value < 0 || initial_value > SEM_VALUE_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Semaphore::Create(", initial_value, "): the value must be in [0, ", SEM_VALUE_MAX, "]"));
  }
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state, CreateState(initial_value, /*bound=*/0));
  return Semaphore(std::move(state));
}

absl::StatusOr<BoundedSemaphore> BoundedSemaphore::Create(int64_t initial_value) {
  if (initial_value < 1 || initial_value > SEM_VALUE_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("BoundedSemaphore::Create(", initial_value,
                                                   "): the value must be in [1, ", SEM_VALUE_MAX, "]"));
  }
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state, CreateState(initial_value, initial_value));
  return BoundedSemaphore(std::move(state));
}

absl::StatusOr<BoundedSemaphore> BoundedSemaphore::Attach(const std::string& name) {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state, internal::SharedState<State>::Attach(name));
  if (state->bound < 1 || state->bound > SEM_VALUE_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(name, " is a Semaphore without a bound"));
  }
  return BoundedSemaphore(std::move(state));
}

absl::StatusOr<Semaphore> Semaphore::Attach(const std::string& name) {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Attach(name));
  return Semaphore(std::move(state));
}

absl::Status Semaphore::Acquire(absl::Duration timeout) {
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Acquire()"));
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int result;
    if (deadline == absl::InfiniteFuture()) {
      result = sem_wait(&state_->semaphore);
    } else {
      timespec until = internal::MonotonicTimespec(deadline);
      result = sem_clockwait(&state_->semaphore, CLOCK_MONOTONIC, &until);
    }
    if (result == 0) return absl::OkStatus();
    if (errno == EINTR) continue;
    if (errno == ETIMEDOUT) return absl::DeadlineExceededError("timed out waiting for the semaphore");
    return absl::ErrnoToStatus(errno, "sem_wait");
  }
}

absl::Status Semaphore::Release() {
  State& state = *state_;
  if (state.bound > 0) {
    // The robust lock's outcome (a releaser died holding it) changes nothing here: the
    // check below reads the semaphore itself.
    MP_RETURN_IF_ERROR(state.release_lock.Lock(absl::InfiniteFuture()).status());
    state.release_lock.AssertHeld();
    int value = 0;
    sem_getvalue(&state.semaphore, &value);
    absl::Status posted = value >= state.bound
                              ? absl::FailedPreconditionError(absl::StrCat(
                                    "BoundedSemaphore::Release(): released more often than acquired "
                                    "(the value is at its bound, ", state.bound, ")"))
                              : Post(state.semaphore);
    (void)state.release_lock.Unlock();
    return posted;
  }
  return Post(state.semaphore);
}

absl::Status Semaphore::Post(sem_t& semaphore) {
  if (sem_post(&semaphore) != 0) {
    if (errno == EOVERFLOW) {
      return absl::OutOfRangeError("Semaphore::Release(): the value is at SEM_VALUE_MAX");
    }
    return absl::ErrnoToStatus(errno, "sem_post");
  }
  return absl::OkStatus();
}

int Semaphore::value() const {
  int value = 0;
  sem_getvalue(&state_->semaphore, &value);
  return value;
}

}  // namespace mp
