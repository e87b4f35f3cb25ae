// QueueSentinel: a descriptor that is readable while a queue in shared memory holds a
// message, so that mp::Wait() can watch a queue beside processes and pipes (Python's
// multiprocessing.connection.wait() on a queue's reader).
//
// A queue in shared memory has no descriptor of its own: its consumers sleep on futexes.
// So a thread of this process watches the queue's item count and keeps an eventfd in
// step: readable while the count is above zero, not readable once it is zero. It sleeps
// on the queue's own futexes (a Put() onto an empty queue wakes it, and every Get()
// while a message is queued), so it costs nothing while nothing changes, and each Get()
// one futex wake-up while it watches. The descriptor follows the queue with a small lag:
// after mp::Wait() says it is ready, Get(timeout) may still find nothing (another
// consumer was first), as with any queue shared by several consumers.
//
// One per process and queue handle; it belongs to the process that started it. A child
// forked from that process inherits the descriptor but not the thread: it must not use
// either (ByteQueue starts a new one for it).

#ifndef MP_IPC_INTERNAL_QUEUE_SENTINEL_H_
#define MP_IPC_INTERNAL_QUEUE_SENTINEL_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"
#include "ipc/internal/futex_condition.h"

namespace mp::internal {

class QueueSentinel {
 public:
  // Starts watching `items`; `not_empty` is notified by a Put() that ends an empty
  // queue, `not_full` after every Get(). All three live in shared memory that outlives
  // this object.
  static absl::StatusOr<std::unique_ptr<QueueSentinel>> Start(std::atomic<uint64_t>& items,
                                                               FutexCondition& not_empty,
                                                               FutexCondition& not_full);

  // Stops the thread and closes the descriptor. Only in the process that started it
  // (Ours()): a forked child has no thread to stop, so it must leave the object be, as
  // ByteQueue's deleter does.
  ~QueueSentinel();

  QueueSentinel(const QueueSentinel&) = delete;
  QueueSentinel& operator=(const QueueSentinel&) = delete;

  int fd() const { return event_.get(); }
  // True in the process that started it (not in a child forked from that process).
  bool Ours() const;

 private:
  QueueSentinel(std::atomic<uint64_t>& items, FutexCondition& not_empty,
                FutexCondition& not_full, UniqueFd event);
  void Watch();
  // Sleeps on `condition` until `ready()` or stop_.
  template <typename Ready>
  void SleepUntil(FutexCondition& condition, Ready ready);

  std::atomic<uint64_t>& items_;
  FutexCondition& not_empty_;
  FutexCondition& not_full_;
  UniqueFd event_;  // eventfd: its count is 1 while readable, 0 while not
  const pid_t owner_;
  std::atomic<bool> stop_{false};
  std::thread watcher_;
};

}  // namespace mp::internal

#endif  // MP_IPC_INTERNAL_QUEUE_SENTINEL_H_
