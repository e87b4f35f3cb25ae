// Event: a flag between processes that others can wait for, like Python's
// multiprocessing.Event.
//
//   absl::StatusOr<mp::Event> go = mp::Event::Create();
//   mp::Process worker([&] { return go->Wait().ok() ? DoWork() : 1; });
//   ...  go->Set();                       // every waiter, now and later, proceeds
//
// Set() and Clear() never block. The flag is one 32-bit word in shared memory and waiting
// is a futex sleep on it, so a waiter that is killed leaves nothing to clean up.
//
// Memory ordering: what a process wrote before Set() is visible to a process after its
// Wait() returns OK, or after IsSet() returned true.
//
// Sharing: as for Lock (fork inherits; otherwise Attach(name) before the creator's Event
// is destroyed).

#ifndef MP_IPC_EVENT_H_
#define MP_IPC_EVENT_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/internal/shared_state.h"

namespace mp {

class Event {
 public:
  // Starts clear.
  static absl::StatusOr<Event> Create();
  static absl::StatusOr<Event> Attach(const std::string& name);

  void Set();
  void Clear();
  bool IsSet() const;

  // Returns when the flag is set: at once if it is. DeadlineExceeded if `timeout` passes;
  // DataLoss if the flag in shared memory was written over (neither set nor clear).
  absl::Status Wait(absl::Duration timeout = absl::InfiniteDuration()) const;

  const std::string& name() const { return state_.name(); }

  struct State {
    static constexpr uint32_t kKind = 4;
    static constexpr char kTypeName[] = "Event";
    std::atomic<uint32_t> flag;  // 0 clear, 1 set
    std::atomic<uint32_t> waiters;
  };

 private:
  explicit Event(internal::SharedState<State> state) : state_(std::move(state)) {}

  internal::SharedState<State> state_;
};

}  // namespace mp

#endif  // MP_IPC_EVENT_H_
