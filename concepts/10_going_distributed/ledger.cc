#include "concepts/10_going_distributed/ledger.h"

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "pool/pool_task.h"

namespace mp::concepts {
namespace {

// Copies `name` into a ticket's field; false if it does not fit.
bool CopyName(const std::string& name, char (&field)[64]) {
  if (name.size() >= sizeof field) return false;
  std::memcpy(field, name.c_str(), name.size() + 1);
  return true;
}

// A name read back from a ticket that came over the wire: at most the field, never past.
std::string NameIn(const char (&field)[64]) { return std::string(field, strnlen(field, sizeof field)); }

// How long a gated task waits before it gives up: a test that forgets to open the gate
// fails, rather than hangs.
constexpr absl::Duration kGateTimeout = absl::Seconds(120);

}  // namespace

absl::StatusOr<Ledger> Ledger::Create(int tasks, Gate gate) {
  MP_ASSIGN_OR_RETURN(SharedArray<Run> runs, SharedArray<Run>::Create(static_cast<size_t>(tasks)));
  MP_ASSIGN_OR_RETURN(Semaphore started, Semaphore::Create(0));
  MP_ASSIGN_OR_RETURN(Event gate_event, Event::Create());
  if (gate == Gate::kOpen) gate_event.Set();
  Ticket blank;
  if (!CopyName(runs.name(), blank.runs) || !CopyName(started.name(), blank.started) ||
      !CopyName(gate_event.name(), blank.gate)) {
    return absl::InternalError("a shared-memory name does not fit in a Ticket");
  }
  return Ledger(std::move(runs), std::move(started), std::move(gate_event), blank);
}

std::vector<Ticket> Ledger::Tickets(int64_t millis) const {
  std::vector<Ticket> tickets(runs_.size(), blank_);
  for (size_t i = 0; i < tickets.size(); ++i) {
    tickets[i].task = static_cast<int64_t>(i);
    tickets[i].millis = millis;
  }
  return tickets;
}

absl::StatusOr<int64_t> RecordedDouble(Ticket ticket) {
  MP_ASSIGN_OR_RETURN(SharedArray<Ledger::Run> runs, SharedArray<Ledger::Run>::Attach(NameIn(ticket.runs)));
  if (ticket.task < 0 || static_cast<size_t>(ticket.task) >= runs.size()) {
    return absl::InvalidArgumentError(absl::StrCat("task ", ticket.task, " is not in the ledger"));
  }
  MP_RETURN_IF_ERROR(runs.Update([&](std::span<Ledger::Run> all) {
    Ledger::Run& run = all[static_cast<size_t>(ticket.task)];
    ++run.count;
    run.worker_pid = getpid();
  }));
  MP_ASSIGN_OR_RETURN(Semaphore started, Semaphore::Attach(NameIn(ticket.started)));
  MP_RETURN_IF_ERROR(started.Release());
  MP_ASSIGN_OR_RETURN(Event gate, Event::Attach(NameIn(ticket.gate)));
  MP_RETURN_IF_ERROR(gate.Wait(kGateTimeout));
  absl::SleepFor(absl::Milliseconds(ticket.millis));
  return 2 * ticket.task;
}

MP_POOL_TASK(RecordedDouble);

}  // namespace mp::concepts
