// ByteQueue: a bounded queue of byte messages in shared memory, for many producer and
// many consumer processes. Queue<T> and JoinableQueue<T> (queue.h) put typed values on it.
//
//   absl::StatusOr<mp::ByteQueue> queue = mp::ByteQueue::Create();
//   mp::Process producer([&] { return queue->Put("work item").ok() ? 0 : 1; });
//   absl::StatusOr<std::string> item = queue->Get();   // "work item"
//
// How it works: messages (an 8-byte length, then the bytes) sit in a ring buffer in one
// shared-memory segment, behind one robust lock. Put() copies a message in and Get()
// copies it out, each under the lock: two memcpy()s and no syscall when nobody has to
// wait. Large messages (kCopyOutsideLockBytes and more) are copied without the lock, so
// that a producer and a consumer copy at the same time: a Put() reserves room under the
// lock, copies, and publishes under it; a Get() marks the message it reads, copies, and
// frees its room. One Put() and one Get() at a time do so, each holding a robust
// "slot" lock of its own while it copies (see Failures). A Get() on an empty queue first spins briefly (QueueOptions::spin) watching for
// an item, because waking a sleeping process on another core costs tens of microseconds
// on a VM; then it sleeps on a futex, and only the Put() that ends the emptiness wakes
// it (the Puts behind that one make no syscall). Compare a pipe: two syscalls and two
// copies through the kernel per message, and a wake-up whenever the reader has caught up.
//
// Limits: the ring holds `capacity_bytes`, so one message can be at most
// capacity_bytes - 8 bytes: a larger Put() fails at once with InvalidArgument naming the
// capacity to ask for (it could never fit). Put() blocks while the message does not fit
// yet, or while `max_items` are queued.
//
// Failures: a producer or consumer killed at any point, even holding the lock in the
// middle of a copy, leaves the queue usable. The ring's read and write positions only
// move once a copy is complete, and the next process to take the lock rebuilds the item
// count from the ring itself. A message being read by a consumer that dies stays queued
// for the next; one that a consumer had taken before dying is gone with it. The same
// holds for the copies made without the lock: what a producer reserved is not published
// until its copy is complete, and what a consumer reads is not freed until its copy is.
// Whoever dies mid-copy dies holding its slot lock, which is robust: the kernel releases
// it, and the next Put() (or Get()) to take that slot learns the reservation it finds
// is a dead one's and takes the room back (or reads the message again).
//
// Damage: every process that maps the queue can write over its shared state, a task with
// a wild pointer included. So nothing read from it is trusted: the ring's size is kept in
// this handle (read once, checked, at Attach()), and the positions and each message's
// length are checked under the lock before they are used. A damaged queue gives
// DataLoss from Put() and Get(), never a read outside the ring (byte_queue_damage_test).
// What remains out of reach is the lock itself: a mutex overwritten with garbage is
// undefined behaviour for pthreads.
//
// Order: FIFO between all Put()s, as ordered by the lock.
//
// Sharing: as for Lock (fork inherits; otherwise Attach(name) before the creator's queue
// is destroyed).

#ifndef MP_IPC_BYTE_QUEUE_H_
#define MP_IPC_BYTE_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipc/internal/futex_condition.h"
#include "ipc/internal/queue_sentinel.h"
#include "ipc/internal/robust_mutex.h"
#include "ipc/internal/shared_state.h"

namespace mp {

template <typename T>
class JoinableQueue;

struct QueueOptions {
  // Bytes of ring buffer: messages plus 8 bytes each. At least 64.
  size_t capacity_bytes = size_t{4} << 20;
  // At most this many messages queued at once; 0 for no limit but the bytes.
  size_t max_items = 0;
  // How long a Get() on an empty queue watches for an item before it sleeps. Zero
  // never spins. It does not spin on the CPU where the last Put() ran: there it would
  // only keep that producer from running.
  absl::Duration spin = absl::Microseconds(50);
};

class ByteQueue {
 public:
  // InvalidArgument for a capacity below 64 bytes.
  static absl::StatusOr<ByteQueue> Create(const QueueOptions& options = {});
  // InvalidArgument if `name` holds something other than a queue.
  static absl::StatusOr<ByteQueue> Attach(const std::string& name,
                                          absl::Duration spin = QueueOptions{}.spin);

  ByteQueue(ByteQueue&&) = default;
  // Stops this handle's sentinel (sentinel()) before the memory it watches goes.
  ByteQueue& operator=(ByteQueue&& other) noexcept;

  // Appends `message`, waiting up to `timeout` for room: DeadlineExceeded (Python's
  // queue.Full) if none comes. InvalidArgument if the message can never fit.
  absl::Status Put(std::string_view message, absl::Duration timeout = absl::InfiniteDuration());
  // Appends `messages` in order, as many as fit now, under one lock and with at most one
  // wake-up: cheaper than a Put() each, and consumers see them all at once instead of
  // being woken for the first. Waits up to `timeout` for room for the first only; returns
  // how many were appended (at least one). A later message that does not fit is left
  // for the caller to put again. InvalidArgument if the first can never fit; an empty
  // `messages` appends nothing and returns 0.
  absl::StatusOr<size_t> PutBatch(absl::Span<const std::string_view> messages,
                                  absl::Duration timeout = absl::InfiniteDuration());

  // Removes the oldest message, waiting up to `timeout` for one: DeadlineExceeded
  // (Python's queue.Empty) if none comes. A zero timeout polls: it never sleeps.
  absl::StatusOr<std::string> Get(absl::Duration timeout = absl::InfiniteDuration());
  // The same, into `message`, whose memory is reused: no allocation in a steady loop.
  absl::Status GetInto(std::string& message, absl::Duration timeout = absl::InfiniteDuration());

  // Python's close(): this process will use this handle no more. Put() and Get() on it
  // then fail with FailedPrecondition (Python raises ValueError); other processes, and
  // other handles on the same queue, are not affected. A child forked after Close()
  // inherits the closed handle. (Python's join_thread() and cancel_join_thread() have
  // nothing to do here: no feeder thread stands between Put() and the queue.)
  void Close() { closed_ = true; }
  bool closed() const { return closed_; }

  // A descriptor that is readable while the queue holds a message, for mp::Wait()
  // beside processes, pipes and results (Python: connection.wait() on a queue's
  // reader). A thread of this process keeps it in step with the queue (see
  // internal/queue_sentinel.h): started by the first call, stopped when this handle is
  // destroyed; the descriptor stays valid until then. Readable means "look now": Get()
  // with a timeout may still find nothing if another consumer was first. While it
  // watches, every Get() on the queue makes one futex wake-up more. A child forked
  // after the call gets its own by calling sentinel() again. FailedPrecondition on a
  // closed handle. Call it from one thread at a time, as Close().
  absl::StatusOr<int> sentinel();

  // Messages queued now; stale as soon as it returns when others are active.
  size_t size() const;
  // Python's empty() and full(): no message queued; max_items of them queued (a queue
  // without max_items is never full by count, though a message larger than the free
  // bytes still waits). Stale as soon as they return when others are active.
  bool empty() const { return size() == 0; }
  bool full() const;
  size_t capacity_bytes() const { return capacity_; }
  // The largest message Put() accepts.
  size_t max_message_bytes() const { return capacity_ - kHeaderBytes; }

  const std::string& name() const { return state_.name(); }

  static constexpr size_t kHeaderBytes = sizeof(uint64_t);
  // Put()s of this many bytes or more (a batch's together) and Get()s of a message this
  // large copy without the queue's lock. Below it, the second lock and the second
  // visit to the shared state would cost more than the overlap saves.
  static constexpr size_t kCopyOutsideLockBytes = size_t{64} << 10;

  struct State {
    static constexpr uint32_t kKind = 7;
    static constexpr char kTypeName[] = "ByteQueue";
    internal::RobustMutex mutex;
    internal::FutexCondition not_empty;
    internal::FutexCondition not_full;
    internal::FutexCondition all_done;  // JoinableQueue: unfinished reached 0
    uint64_t capacity = 0;
    uint64_t max_items = 0;
    // Positions grow forever; the byte at position p is at ring[p % capacity]. Each
    // moves in one store, after its copy is complete.
    uint64_t read_position ABSL_GUARDED_BY(mutex) = 0;
    uint64_t write_position ABSL_GUARDED_BY(mutex) = 0;
    // A Put() holding write_slot copies into [write_position, writing_end); a Get()
    // holding read_slot copies out of [read_position, reading_end). Zero: nobody does.
    // Set under `mutex`; one found set by the slot's next holder is a dead one's.
    uint64_t writing_end ABSL_GUARDED_BY(mutex) = 0;
    uint64_t reading_end ABSL_GUARDED_BY(mutex) = 0;
    // JoinableQueue: Put()s not yet matched by TaskDone().
    uint64_t unfinished ABSL_GUARDED_BY(mutex) = 0;
    // Written under `mutex`, read without it by spinning consumers (so on a cache line
    // of its own, away from the mutex). Rebuilt from the ring after an owner died.
    alignas(64) std::atomic<uint64_t> items;
    // The CPU the last Put() ran on: spinning is pointless on that same CPU.
    std::atomic<int32_t> last_put_cpu;
    // Held by the one Put() (or Get()) copying without `mutex`, for its whole copy. Last,
    // so that the fields every small message touches stay on the cache lines they had.
    alignas(64) internal::RobustMutex write_slot;
    internal::RobustMutex read_slot;
  };

 private:
  template <typename T>
  friend class JoinableQueue;
  // For JoinableQueue: every Put() counts as an unfinished task until a TaskDone().
  absl::Status TaskDone();
  absl::Status JoinTasks(absl::Duration timeout);

  ByteQueue(internal::SharedState<State> state, uint64_t capacity, absl::Duration spin)
      : state_(std::move(state)), capacity_(capacity), spin_(spin) {}

  // Deletes a sentinel in the process that started it; in a forked child, which has
  // the object but not its thread, leaves it be (there is no thread to stop).
  struct SentinelDeleter {
    void operator()(internal::QueueSentinel* sentinel) const;
  };

  // Locks the queue, repairing the counts if the previous holder died. OK: the caller
  // holds state_->mutex (and says so to the analysis with AssertHeld()); it unlocks it.
  absl::Status LockQueue(absl::Time deadline) const;
  // Locks the queue and waits on `condition` until `ready()` (which runs under the lock),
  // repairing as LockQueue(). OK: the lock is held. DeadlineExceeded with `on_timeout`:
  // it is not.
  template <typename Ready>
  absl::Status LockWhen(internal::FutexCondition& condition, absl::Time deadline, Ready ready,
                        const char* on_timeout) const;
  // `state` is *state_ in each of these.
  // Rebuilds `items` from the ring; false if the positions or a length are damaged.
  bool RecountItems(State& state) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);
  // Just after the lock is taken: rebuilds the count if its previous holder died, else
  // checks the positions. False if the shared state is damaged.
  bool StateIsSoundLocked(State& state, bool previous_owner_died) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);
  // The positions describe at most a ring's worth of bytes, read before write.
  bool PositionsAreSaneLocked(const State& state) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);
  // Unlocks, and says what is damaged (DataLoss).
  absl::Status DamagedLocked(State& state) const ABSL_UNLOCK_FUNCTION(state.mutex);
  // Whether a message of `bytes` (header included) fits now.
  bool HasRoomLocked(const State& state, uint64_t bytes) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);
  // How many of `messages`, from the first, fit now; their bytes, headers included.
  size_t CountThatFitLocked(const State& state, absl::Span<const std::string_view> messages,
                            uint64_t& bytes) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);
  // Writes `messages` (length, bytes, ...) into the ring from `position`, whose room the
  // caller holds: under the lock, or reserved.
  void CopyMessagesIn(uint64_t position, absl::Span<const std::string_view> messages);
  // Publishes `count` messages ending at `end`; true if the queue was empty before.
  bool PublishLocked(State& state, size_t count, uint64_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);
  // Frees the first message, which ends at `end`.
  void TakeFirstLocked(State& state, uint64_t end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);
  // Put() of small messages, all under the lock. 0 (nothing appended) when a Put() is
  // copying without the lock: then this one must queue behind it, by the write slot.
  absl::StatusOr<size_t> PutUnderLock(absl::Span<const std::string_view> messages,
                                      absl::Time deadline);
  // Takes a slot (write_slot or read_slot) by `deadline`; DeadlineExceeded with
  // `on_timeout` if it is still held then.
  static absl::Status LockSlot(internal::RobustMutex& slot, absl::Time deadline,
                               const char* on_timeout);
  // Put() through the write slot: reserves under the lock, copies without it, publishes.
  absl::StatusOr<size_t> PutBySlot(absl::Span<const std::string_view> messages,
                                   absl::Time deadline);
  // LockWhen() a message is queued. OK: the lock is held.
  absl::Status LockWhenNotEmpty(absl::Time deadline) const;
  // Get() when no Get() copies without the lock: true if it got a message; false if one
  // does (or its slot is still held), so that this one must take the read slot.
  absl::StatusOr<bool> GetUnlessSomeoneReads(std::string& message, absl::Time deadline);
  // Get() through the read slot: takes it, then the first message. False if a reading
  // Get() still holds the queue (only with a bug put back).
  absl::StatusOr<bool> GetBySlot(std::string& message, absl::Time deadline);
  // The first message's length, read under the lock with a message queued; nullopt if
  // it does not lie within what was put (damage).
  std::optional<uint64_t> FirstLengthLocked(const State& state) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mutex);
  // Takes the first message, of `length` bytes, and unlocks the queue: copies it under
  // the lock, or, if it is large and this thread holds the read slot, without it.
  absl::Status TakeFirstAndUnlock(State& state, uint64_t length, std::string& message,
                                  bool holding_read_slot) ABSL_UNLOCK_FUNCTION(state.mutex);
  // Watches `items` without the lock until it is non-zero or the spin time is over.
  void SpinUntilNotEmpty() const;

  internal::SharedState<State> state_;
  // The ring's size, from Create() or checked once by Attach(): never read again from the
  // shared state, which another process could overwrite.
  uint64_t capacity_;
  absl::Duration spin_;
  bool closed_ = false;  // this handle's, in this process
  // Declared after state_, so destroyed before the memory it watches is unmapped.
  std::unique_ptr<internal::QueueSentinel, SentinelDeleter> sentinel_;
};

}  // namespace mp

#endif  // MP_IPC_BYTE_QUEUE_H_
