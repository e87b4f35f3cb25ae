#include "ipc/internal/queue_sentinel.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mp::internal {

absl::StatusOr<std::unique_ptr<QueueSentinel>> QueueSentinel::Start(std::atomic<uint64_t>& items,
                                                                     FutexCondition& not_empty,
                                                                     FutexCondition& not_full) {
  UniqueFd event(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!event.valid()) return absl::ErrnoToStatus(errno, "eventfd for a queue's sentinel");
  return std::unique_ptr<QueueSentinel>(
      new QueueSentinel(items, not_empty, not_full, std::move(event)));
}

QueueSentinel::QueueSentinel(std::atomic<uint64_t>& items, FutexCondition& not_empty,
                             FutexCondition& not_full, UniqueFd event)
    : items_(items),
      not_empty_(not_empty),
      not_full_(not_full),
      event_(std::move(event)),
      owner_(::getpid()),
      watcher_([this] { Watch(); }) {}

QueueSentinel::~QueueSentinel() {
  stop_.store(true, std::memory_order_seq_cst);
  // Wakes every sleeper on the queue, in every process: the others find their condition
  // unchanged and sleep again, as after any spurious wake-up.
  not_empty_.NotifyAll();
  not_full_.NotifyAll();
  watcher_.join();
}

bool QueueSentinel::Ours() const { return ::getpid() == owner_; }

template <typename Ready>
void QueueSentinel::SleepUntil(FutexCondition& condition, Ready ready) {
  // FutexCondition::Wait()'s protocol, without the queue's lock: read the sequence before
  // the condition, so that a Notify() after the check changes the sequence and the kernel
  // does not put us to sleep on the old value.
  while (true) {
    const uint32_t seen = condition.sequence.load(std::memory_order_seq_cst);
    if (stop_.load(std::memory_order_seq_cst) || ready()) return;
    condition.waiters.fetch_add(1, std::memory_order_seq_cst);
    FutexWait(condition.sequence, seen, absl::InfiniteFuture());
    condition.waiters.fetch_sub(1, std::memory_order_relaxed);
  }
}

void QueueSentinel::Watch() {
  while (!stop_.load(std::memory_order_seq_cst)) {
    SleepUntil(not_empty_, [&] { return items_.load(std::memory_order_seq_cst) > 0; });
    if (stop_.load(std::memory_order_seq_cst)) return;
    const uint64_t one = 1;
    (void)!::write(event_.get(), &one, sizeof one);  // readable
    SleepUntil(not_full_, [&] { return items_.load(std::memory_order_seq_cst) == 0; });
    uint64_t count = 0;
    (void)!::read(event_.get(), &count, sizeof count);  // not readable
  }
}

}  // namespace mp::internal
