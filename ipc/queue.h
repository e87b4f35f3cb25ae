// Queue<T> and JoinableQueue<T>: typed queues between processes, like Python's
// multiprocessing.Queue and JoinableQueue, on the shared-memory ByteQueue (byte_queue.h,
// which explains the costs, the limits and what happens when a process dies).
//
//   absl::StatusOr<mp::Queue<std::string>> lines = mp::Queue<std::string>::Create();
//   mp::Process producer([&] { return lines->Put("hello").ok() ? 0 : 1; });
//   absl::StatusOr<std::string> line = lines->Get(absl::Seconds(5));
//
// Values travel as bytes through mp::Encode / mp::Decode (codec.h): numbers, strings,
// vectors, maps, plain structs and protobuf messages.
//
// JoinableQueue adds Python's task accounting: each Put() is a task until a consumer
// calls TaskDone() for it, and Join() waits until every task is done.

#ifndef MP_IPC_QUEUE_H_
#define MP_IPC_QUEUE_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/byte_queue.h"
#include "ipc/codec.h"

namespace mp {

template <typename T>
class Queue {
 public:
  static absl::StatusOr<Queue> Create(const QueueOptions& options = {}) {
    absl::StatusOr<ByteQueue> bytes = ByteQueue::Create(options);
    if (!bytes.ok()) return bytes.status();
    return Queue(*std::move(bytes));
  }
  static absl::StatusOr<Queue> Attach(const std::string& name,
                                      absl::Duration spin = QueueOptions{}.spin) {
    absl::StatusOr<ByteQueue> bytes = ByteQueue::Attach(name, spin);
    if (!bytes.ok()) return bytes.status();
    return Queue(*std::move(bytes));
  }

  // As ByteQueue::Put, for the encoded value.
  absl::Status Put(const T& value, absl::Duration timeout = absl::InfiniteDuration()) {
    return bytes_.Put(Encode(value), timeout);
  }
  // As ByteQueue::Get. InvalidArgument or DataLoss if the message is not a T (someone
  // put another type on the queue), as mp::Decode says.
  absl::StatusOr<T> Get(absl::Duration timeout = absl::InfiniteDuration()) {
    absl::StatusOr<std::string> message = bytes_.Get(timeout);
    if (!message.ok()) return message.status();
    return Decode<T>(*message);
  }

  // As ByteQueue::Close(): Put() and Get() through this handle fail from now on.
  void Close() { bytes_.Close(); }
  bool closed() const { return bytes_.closed(); }
  // As ByteQueue::sentinel(): readable while a value is queued, for mp::Wait().
  absl::StatusOr<int> sentinel() { return bytes_.sentinel(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  bool full() const { return bytes_.full(); }
  const std::string& name() const { return bytes_.name(); }
  ByteQueue& bytes() { return bytes_; }

 protected:
  explicit Queue(ByteQueue bytes) : bytes_(std::move(bytes)) {}
  ByteQueue bytes_;
};

template <typename T>
class JoinableQueue : public Queue<T> {
 public:
  static absl::StatusOr<JoinableQueue> Create(const QueueOptions& options = {}) {
    absl::StatusOr<ByteQueue> bytes = ByteQueue::Create(options);
    if (!bytes.ok()) return bytes.status();
    return JoinableQueue(*std::move(bytes));
  }
  static absl::StatusOr<JoinableQueue> Attach(const std::string& name,
                                              absl::Duration spin = QueueOptions{}.spin) {
    absl::StatusOr<ByteQueue> bytes = ByteQueue::Attach(name, spin);
    if (!bytes.ok()) return bytes.status();
    return JoinableQueue(*std::move(bytes));
  }

  // Marks one task that a Get() returned as finished. FailedPrecondition if called more
  // often than there were Put()s.
  absl::Status TaskDone() { return this->bytes_.TaskDone(); }

  // Waits until every Put() so far has had its TaskDone(). DeadlineExceeded if `timeout`
  // passes first: give one, since a consumer that dies holding a task never finishes it.
  absl::Status Join(absl::Duration timeout = absl::InfiniteDuration()) {
    return this->bytes_.JoinTasks(timeout);
  }

 private:
  explicit JoinableQueue(ByteQueue bytes) : Queue<T>(std::move(bytes)) {}
};

}  // namespace mp

#endif  // MP_IPC_QUEUE_H_
