// PerProcess<T>(): one T per process, for the library's process-wide state.
//
// A plain function-local static is shared with every child forked from this process,
// and a child forked while another thread held the static's lock would find it locked
// forever. So a forked child that asks gets a fresh T; the copy it inherited is
// abandoned, never destroyed (its owner threads do not exist in the child).

#ifndef MP_PROCESS_INTERNAL_PER_PROCESS_H_
#define MP_PROCESS_INTERNAL_PER_PROCESS_H_

#include <sys/types.h>
#include <unistd.h>

#include <atomic>

namespace mp::internal {

template <typename T>
T& PerProcess() {
  struct Slot {
    pid_t owner;
    T value;
  };
  static std::atomic<Slot*> current{nullptr};
  Slot* slot = current.load();
  const pid_t self = ::getpid();
  if (slot != nullptr && slot->owner == self) return slot->value;
  auto* fresh = new Slot{self, {}};
  if (current.compare_exchange_strong(slot, fresh)) return fresh->value;
  delete fresh;  // another thread of this process installed one first
  return slot->value;
}

}  // namespace mp::internal

#endif  // MP_PROCESS_INTERNAL_PER_PROCESS_H_
