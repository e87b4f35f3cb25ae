// For tests of what a damaged queue does: write over a ByteQueue's shared state through a
// mapping of one's own, as a process with a wild pointer would.

#ifndef MP_IPC_TESTING_QUEUE_DAMAGE_H_
#define MP_IPC_TESTING_QUEUE_DAMAGE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipc/byte_queue.h"
#include "ipc/internal/shared_state.h"

namespace mp::test {

// A second mapping of a queue's segment, with its counters (the bytes from the ring's
// size to the item count) and its ring laid bare. The lock and the futex words before
// the counters are left alone: see byte_queue.h.
class QueueDamage {
 public:
  static absl::StatusOr<QueueDamage> Of(const std::string& queue_name);

  // Overwrites the counters with bytes 0x10, 0x11, ...: every word a different value, so
  // the read and write positions end up far more than a ring apart.
  void CountUp();
  // Overwrites the 8 bytes at `offset` in the counters (offset + 8 <= counter_bytes()).
  void SetCounterWord(size_t offset, uint64_t value);
  size_t counter_bytes() const { return static_cast<size_t>(end_ - first_); }
  // The first counter word is the ring's size.
  void SetCapacity(uint64_t value) { SetCounterWord(0, value); }
  char* ring() const { return view_.extra(); }

 private:
  explicit QueueDamage(internal::SharedState<ByteQueue::State> view);

  internal::SharedState<ByteQueue::State> view_;
  char* first_;
  char* end_;
};

}  // namespace mp::test

#endif  // MP_IPC_TESTING_QUEUE_DAMAGE_H_
