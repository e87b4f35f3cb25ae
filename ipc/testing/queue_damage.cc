#include "ipc/testing/queue_damage.h"

#include <cstring>
#include <utility>

namespace mp::test {

absl::StatusOr<QueueDamage> QueueDamage::Of(const std::string& queue_name) {
  absl::StatusOr<internal::SharedState<ByteQueue::State>> view =
      internal::SharedState<ByteQueue::State>::Attach(queue_name);
  if (!view.ok()) return view.status();
  return QueueDamage(*std::move(view));
}

QueueDamage::QueueDamage(internal::SharedState<ByteQueue::State> view)
    : view_(std::move(view)),
      first_(reinterpret_cast<char*>(&view_->capacity)),
      end_(reinterpret_cast<char*>(&view_->items) + sizeof(uint64_t)) {}

void QueueDamage::CountUp() {
  for (char* at = first_; at < end_; ++at) *at = static_cast<char>(0x10 + (at - first_));
}

void QueueDamage::SetCounterWord(size_t offset, uint64_t value) {
  std::memcpy(first_ + offset, &value, sizeof value);
}

}  // namespace mp::test
