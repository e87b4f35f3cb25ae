#include "ipc/event.h"

#include <atomic>
#include <climits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/deadline.h"
#include "base/status_macros.h"
#include "ipc/internal/futex_condition.h"

namespace mp {

absl::StatusOr<Event> Event::Create() {
  MP_ASSIGN_OR_RETURN(
      internal::SharedState<State> state,
      internal::SharedState<State>::Create(/*extra_bytes=*/0,
                                           [](State&) { return absl::OkStatus(); }));
  return Event(std::move(state));
}

absl::StatusOr<Event> Event::Attach(const std::string& name) {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Attach(name));
  return Event(std::move(state));
}

void Event::Set() {
  state_->flag.store(1, std::memory_order_seq_cst);
  // Sequentially consistent with Wait()'s waiter count: either Wait() sees the flag, or
  // this sees the waiter and wakes it.
  if (state_->waiters.load(std::memory_order_seq_cst) != 0) internal::FutexWake(state_->flag, INT_MAX);
}

void Event::Clear() { state_->flag.store(0, std::memory_order_release); }

bool Event::IsSet() const { return state_->flag.load(std::memory_order_acquire) == 1; }

absl::Status Event::Wait(absl::Duration timeout) const {
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Wait()"));
  const absl::Time deadline = absl::Now() + timeout;
  if (IsSet()) return absl::OkStatus();
  state_->waiters.fetch_add(1, std::memory_order_seq_cst);
  // The flag is 0 or 1; anything else was written over it, and the futex would then
  // never let this wait sleep (it sleeps only while the flag is 0): a busy loop.
  auto flag = [&] { return state_->flag.load(std::memory_order_acquire); };
  while (flag() == 0) {
    if (!internal::FutexWait(state_->flag, 0, deadline)) break;
  }
  const auto last = flag();
  state_->waiters.fetch_sub(1, std::memory_order_relaxed);
  if (last == 1) return absl::OkStatus();
  if (last != 0) {
    return absl::DataLossError(absl::StrCat("the event ", state_.name(), " is damaged: its flag reads ",
                                            last, " (did a process write over memory it does not own?)"));
  }
  return absl::DeadlineExceededError("timed out waiting for the event");
}

}  // namespace mp
