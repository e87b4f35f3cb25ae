#include "ipc/byte_queue.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/cpu_relax.h"
#include "base/deadline.h"
#include "base/put_bug_back.h"
#include "base/status_macros.h"
#include "ipc/internal/copy_hook.h"

namespace mp {
namespace {

constexpr size_t kMinCapacity = 64;

absl::Status ClosedError(const char* operation) {
  return absl::FailedPreconditionError(absl::StrCat(
      operation, " on a queue this process closed (Close()): use another handle, or do not "
                 "close it while it is still in use"));
}

// The ring is `capacity` bytes at `ring`; position p is at ring[p % capacity], so a
// copy may wrap around the end.
void CopyIntoRing(char* ring, uint64_t capacity, uint64_t position, const void* data, size_t size) {
  if (size == 0) return;  // an empty message's data may be null, which memcpy may not get
  const uint64_t start = position % capacity;
  const size_t first = std::min<uint64_t>(size, capacity - start);
  std::memcpy(ring + start, data, first);
  std::memcpy(ring, static_cast<const char*>(data) + first, size - first);
}

void CopyOutOfRing(const char* ring, uint64_t capacity, uint64_t position, void* data, size_t size) {
  if (size == 0) return;
  const uint64_t start = position % capacity;
  const size_t first = std::min<uint64_t>(size, capacity - start);
  std::memcpy(data, ring + start, first);
  std::memcpy(static_cast<char*>(data) + first, ring, size - first);
}

uint64_t ReadLength(const char* ring, uint64_t capacity, uint64_t position) {
  uint64_t length = 0;
  CopyOutOfRing(ring, capacity, position, &length, sizeof(length));
  return length;
}

}  // namespace

absl::StatusOr<ByteQueue> ByteQueue::Create(const QueueOptions& options) {
  if (options.capacity_bytes < kMinCapacity) {
    return absl::InvalidArgumentError(absl::StrCat(
        "QueueOptions::capacity_bytes is ", options.capacity_bytes, "; it must be at least ",
        kMinCapacity));
  }
  MP_ASSIGN_OR_RETURN(
      internal::SharedState<State> state,
      internal::SharedState<State>::Create(options.capacity_bytes, [&](State& state) {
        state.capacity = options.capacity_bytes;
        state.max_items = options.max_items;
        MP_RETURN_IF_ERROR(state.write_slot.Init(/*recursive=*/false));
        MP_RETURN_IF_ERROR(state.read_slot.Init(/*recursive=*/false));
        return state.mutex.Init(/*recursive=*/false);
      }));
  return ByteQueue(std::move(state), options.capacity_bytes, options.spin);
}

absl::StatusOr<ByteQueue> ByteQueue::Attach(const std::string& name, absl::Duration spin) {
  MP_ASSIGN_OR_RETURN(internal::SharedState<State> state,
                      internal::SharedState<State>::Attach(name));
  const uint64_t capacity = state->capacity;  // read once: from here on, ours is the truth
  if (capacity < kMinCapacity || capacity > state.extra_size()) {
    return absl::DataLossError(absl::StrCat(name, " holds a damaged queue"));
  }
  return ByteQueue(std::move(state), capacity, spin);
}

bool ByteQueue::RecountItems(State& state) const {
  if (!PositionsAreSaneLocked(state)) return false;
  uint64_t count = 0;
  for (uint64_t position = state.read_position; position < state.write_position; ++count) {
    const uint64_t left = state.write_position - position;
    if (left < kHeaderBytes) return false;
    const uint64_t length = ReadLength(state_.extra(), capacity_, position);
    if (length > left - kHeaderBytes) return false;
    position += kHeaderBytes + length;
  }
  state.items.store(count, std::memory_order_release);
  return true;
}

bool ByteQueue::StateIsSoundLocked(State& state, bool previous_owner_died) const {
  // The dead holder may have completed a copy and moved a position without updating
  // the count; the positions are the truth.
  return previous_owner_died ? RecountItems(state) : PositionsAreSaneLocked(state);
}

bool ByteQueue::PositionsAreSaneLocked(const State& state) const {
  const bool positions = state.read_position <= state.write_position &&
                         state.write_position - state.read_position <= capacity_;
  // A reservation lies in the free room, a reading mark within the first message's room.
  const bool writing = state.writing_end == 0 ||
                       (state.writing_end >= state.write_position &&
                        state.writing_end - state.read_position <= capacity_);
  const bool reading = state.reading_end == 0 || (state.reading_end > state.read_position &&
                                                  state.reading_end <= state.write_position);
  return positions && writing && reading;
}

absl::Status ByteQueue::DamagedLocked(State& state) const {
  const std::string why = absl::StrCat(
      "the queue ", name(), " is damaged: its shared state says read position ",
      state.read_position, ", write position ", state.write_position, " in a ring of ", capacity_,
      " bytes (did a process write over memory it does not own?)");
  (void)state.mutex.Unlock();
  return absl::DataLossError(why);
}

absl::Status ByteQueue::LockQueue(absl::Time deadline) const {
  State& state = *state_;
  MP_ASSIGN_OR_RETURN(internal::LockOutcome outcome, state.mutex.Lock(deadline));
  state.mutex.AssertHeld();
  if (!StateIsSoundLocked(state, outcome.previous_owner_died)) return DamagedLocked(state);
  return absl::OkStatus();
}

template <typename Ready>
absl::Status ByteQueue::LockWhen(internal::FutexCondition& condition, absl::Time deadline,
                                 Ready ready, const char* on_timeout) const {
  State& state = *state_;
  MP_RETURN_IF_ERROR(LockQueue(deadline));
  state.mutex.AssertHeld();
  while (!ready()) {
    absl::StatusOr<internal::LockOutcome> waited = condition.Wait(state.mutex, deadline);
    if (!waited.ok() && waited.status().code() != absl::StatusCode::kDeadlineExceeded) {
      return waited.status();  // the lock could not be taken back, so it is not ours
    }
    // The lock is ours again (on time or not), and other processes held it meanwhile:
    // check what they left before ready() reads it.
    if (!StateIsSoundLocked(state, waited.ok() && waited->previous_owner_died)) {
      return DamagedLocked(state);
    }
    if (!waited.ok() && !ready()) {
      (void)state.mutex.Unlock();
      return absl::DeadlineExceededError(on_timeout);
    }
  }
  return absl::OkStatus();
}

absl::Status ByteQueue::Put(std::string_view message, absl::Duration timeout) {
  return PutBatch({message}, timeout).status();
}

bool ByteQueue::HasRoomLocked(const State& state, uint64_t bytes) const {
  const uint64_t used = state.write_position - state.read_position;
  return capacity_ - used >= bytes &&
         (state.max_items == 0 || state.items.load(std::memory_order_relaxed) < state.max_items);
}

size_t ByteQueue::CountThatFitLocked(const State& state,
                                     absl::Span<const std::string_view> messages,
                                     uint64_t& bytes) const {
  const uint64_t free_bytes = capacity_ - (state.write_position - state.read_position);
  const uint64_t items = state.items.load(std::memory_order_relaxed);
  size_t count = 0;
  bytes = 0;
  for (std::string_view message : messages) {
    const uint64_t needed = kHeaderBytes + message.size();
    if (free_bytes - bytes < needed) break;
    if (state.max_items != 0 && items + count >= state.max_items) break;
    bytes += needed;
    ++count;
  }
  return count;
}

void ByteQueue::CopyMessagesIn(uint64_t position, absl::Span<const std::string_view> messages) {
  for (std::string_view message : messages) {
    const uint64_t length = message.size();
    CopyIntoRing(state_.extra(), capacity_, position, &length, sizeof(length));
    CopyIntoRing(state_.extra(), capacity_, position + kHeaderBytes, message.data(), length);
    position += kHeaderBytes + length;
  }
}

bool ByteQueue::PublishLocked(State& state, size_t count, uint64_t end) {
  const bool was_empty = state.read_position == state.write_position;
  state.write_position = end;  // the commit: the messages now exist
  state.items.fetch_add(count, std::memory_order_release);
  state.unfinished += count;
  state.last_put_cpu.store(sched_getcpu(), std::memory_order_relaxed);
  return was_empty;
}

void ByteQueue::TakeFirstLocked(State& state, uint64_t end) {
  if (internal::BugPutBack("queue_get_leaves_the_item")) return;
  state.read_position = end;  // the commit: the message is ours
  state.items.fetch_sub(1, std::memory_order_release);
}

absl::StatusOr<size_t> ByteQueue::PutBatch(absl::Span<const std::string_view> messages,
                                           absl::Duration timeout) {
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Put()"));
  if (closed_) return ClosedError("Put()");
  if (messages.empty()) return 0;
  const uint64_t needed = kHeaderBytes + messages.front().size();
  if (needed > capacity_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Put(): a message of ", messages.front().size(), " bytes can never fit in this queue, "
        "which holds at most ", max_message_bytes(), "; create it with "
        "QueueOptions::capacity_bytes of at least ", needed));
  }
  const absl::Time deadline = absl::Now() + timeout;
  size_t bytes = 0;
  for (std::string_view message : messages) bytes += message.size();
  if (bytes < kCopyOutsideLockBytes || internal::BugPutBack("large_messages_copied_under_the_lock")) {
    absl::StatusOr<size_t> appended = PutUnderLock(messages, deadline);
    if (!appended.ok() || *appended > 0) return appended;
  }
  return PutBySlot(messages, deadline);
}

absl::StatusOr<size_t> ByteQueue::PutUnderLock(absl::Span<const std::string_view> messages,
                                               absl::Time deadline) {
  State& state = *state_;
  const uint64_t needed = kHeaderBytes + messages.front().size();
  MP_RETURN_IF_ERROR(LockWhen(state.not_full, deadline,
                              [&] {
                                state.mutex.AssertHeld();
                                return state.writing_end != 0 || HasRoomLocked(state, needed);
                              },
                              "Put(): timed out waiting for room in the queue"));
  state.mutex.AssertHeld();
  if (state.writing_end != 0) {
    // A large Put() is copying into the room after write_position; this one's messages
    // come after it, so it waits for that Put() on the slot (which a dead one releases).
    (void)state.mutex.Unlock();
    return 0;
  }
  uint64_t bytes = 0;
  const size_t count = CountThatFitLocked(state, messages, bytes);
  CopyMessagesIn(state.write_position, messages.first(count));
  // (Large here only with a bug put back: its test stops it, holding the lock.)
  if (bytes >= kCopyOutsideLockBytes) internal::RunCopyHook(internal::CopyStage::kWriting);
  const bool was_empty = PublishLocked(state, count, state.write_position + bytes);
  (void)state.mutex.Unlock();
  // Wakes every sleeping consumer, not one: a woken one that then dies or times out
  // would otherwise leave the item unannounced while the others sleep. And only when
  // this Put() ended an empty queue: consumers sleep only on an empty queue, so a Put()
  // onto a non-empty one finds every sleeper woken already (each takes a message or
  // finds them taken, and sleeps again only on an empty queue, which the next Put()
  // announces). Most of the wake-ups this saves woke nobody: their consumer had been
  // woken but was not yet running (benchmarks/results/design_measurements.md).
  if (was_empty) state.not_empty.NotifyAll();
  return count;
}

absl::Status ByteQueue::LockSlot(internal::RobustMutex& slot, absl::Time deadline,
                                 const char* on_timeout) {
  // Whether its last holder died does not matter here: the reservation or mark it left
  // tells, and the new holder replaces it.
  absl::StatusOr<internal::LockOutcome> locked = slot.Lock(deadline);
  if (locked.ok()) return absl::OkStatus();
  if (locked.status().code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::DeadlineExceededError(on_timeout);
  }
  return locked.status();
}

absl::StatusOr<size_t> ByteQueue::PutBySlot(absl::Span<const std::string_view> messages,
                                            absl::Time deadline) {
  State& state = *state_;
  MP_RETURN_IF_ERROR(LockSlot(state.write_slot, deadline, "Put(): timed out waiting for room in the queue"));
  state.write_slot.AssertHeld();
  absl::Cleanup release_slot = [&] {
    state.write_slot.AssertHeld();
    (void)state.write_slot.Unlock();
  };
  const uint64_t needed = kHeaderBytes + messages.front().size();
  MP_RETURN_IF_ERROR(LockWhen(state.not_full, deadline,
                              [&] {
                                state.mutex.AssertHeld();
                                return HasRoomLocked(state, needed);
                              },
                              "Put(): timed out waiting for room in the queue"));
  state.mutex.AssertHeld();
  // The slot is ours: a reservation found here was made by a holder that died mid-copy,
  // and its room, never published, is free again. Ours replaces it.
  const uint64_t start = state.write_position;
  uint64_t bytes = 0;
  const size_t count = CountThatFitLocked(state, messages, bytes);
  state.writing_end = start + bytes;
  (void)state.mutex.Unlock();

  // Half the copy, then the test hook, then the rest: a test kills a producer there.
  const size_t half = (count + 1) / 2;
  CopyMessagesIn(start, messages.first(half));
  internal::RunCopyHook(internal::CopyStage::kWriting);
  uint64_t position = start;
  for (size_t i = 0; i < half; ++i) position += kHeaderBytes + messages[i].size();
  CopyMessagesIn(position, messages.subspan(half, count - half));

  MP_RETURN_IF_ERROR(LockQueue(absl::InfiniteFuture()));
  state.mutex.AssertHeld();
  if (state.write_position != start || state.writing_end != start + bytes) {
    return DamagedLocked(state);
  }
  state.writing_end = 0;
  const bool was_empty = PublishLocked(state, count, start + bytes);
  (void)state.mutex.Unlock();
  if (was_empty) state.not_empty.NotifyAll();  // as in PutUnderLock()
  return count;
}

void ByteQueue::SpinUntilNotEmpty() const {
  if (spin_ <= absl::ZeroDuration()) return;
  // Spinning helps only if the producer can run meanwhile, on another CPU. If the last
  // one ran on ours, it most likely needs this CPU to put the next item: sleep at once.
  const int this_cpu = sched_getcpu();
  if (this_cpu >= 0 && this_cpu == state_->last_put_cpu.load(std::memory_order_relaxed)) return;
  const absl::Time give_up = absl::Now() + spin_;
  for (int round = 1; state_->items.load(std::memory_order_acquire) == 0; ++round) {
    CpuRelax();
    if (round % 64 == 0 && absl::Now() > give_up) return;
  }
}

absl::StatusOr<std::string> ByteQueue::Get(absl::Duration timeout) {
  std::string message;
  MP_RETURN_IF_ERROR(GetInto(message, timeout));
  return message;
}

absl::Status ByteQueue::GetInto(std::string& message, absl::Duration timeout) {
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Get()"));
  if (closed_) return ClosedError("Get()");
  const absl::Time deadline = absl::Now() + timeout;
  if (timeout > absl::ZeroDuration()) SpinUntilNotEmpty();
  for (;;) {
    absl::StatusOr<bool> got = GetUnlessSomeoneReads(message, deadline);
    if (!got.ok() || *got) return got.status();
    got = GetBySlot(message, deadline);
    if (!got.ok() || *got) return got.status();
    if (absl::Now() >= deadline) return absl::DeadlineExceededError("Get(): timed out waiting for a message");
  }
}

std::optional<uint64_t> ByteQueue::FirstLengthLocked(const State& state) const {
  // The positions were checked under this lock; the length was written by whoever put
  // the message, and must lie within what was put.
  const uint64_t used = state.write_position - state.read_position;
  if (used < kHeaderBytes) return std::nullopt;
  const uint64_t length = ReadLength(state_.extra(), capacity_, state.read_position);
  if (length > used - kHeaderBytes) return std::nullopt;
  return length;
}

absl::Status ByteQueue::LockWhenNotEmpty(absl::Time deadline) const {
  State& state = *state_;
  return LockWhen(
      state.not_empty, deadline,
      [&] {
        state.mutex.AssertHeld();
        return state.read_position != state.write_position;
      },
      "Get(): timed out waiting for a message");
}

absl::StatusOr<bool> ByteQueue::GetUnlessSomeoneReads(std::string& message, absl::Time deadline) {
  State& state = *state_;
  MP_RETURN_IF_ERROR(LockWhenNotEmpty(deadline));
  state.mutex.AssertHeld();
  // A Get() copying the first message out: the next one starts after it, but only its
  // reader can free the room in order, so this one waits for it on the slot.
  if (state.reading_end != 0) {
    (void)state.mutex.Unlock();
    return false;
  }
  const std::optional<uint64_t> length = FirstLengthLocked(state);
  if (!length.has_value()) return DamagedLocked(state);
  if (*length < kCopyOutsideLockBytes ||
      internal::BugPutBack("large_messages_copied_under_the_lock")) {
    MP_RETURN_IF_ERROR(TakeFirstAndUnlock(state, *length, message, /*holding_read_slot=*/false));
    return true;
  }
  // Never waits for the slot while holding the queue's lock: its holder may want that
  // lock to finish.
  absl::StatusOr<internal::LockOutcome> slot = state.read_slot.TryLock();
  if (!slot.ok()) {
    (void)state.mutex.Unlock();
    if (slot.status().code() == absl::StatusCode::kUnavailable) return false;
    return slot.status();
  }
  state.read_slot.AssertHeld();
  absl::Status taken = TakeFirstAndUnlock(state, *length, message, /*holding_read_slot=*/true);
  (void)state.read_slot.Unlock();
  MP_RETURN_IF_ERROR(taken);
  return true;
}

absl::StatusOr<bool> ByteQueue::GetBySlot(std::string& message, absl::Time deadline) {
  State& state = *state_;
  MP_RETURN_IF_ERROR(LockSlot(state.read_slot, deadline, "Get(): timed out waiting for a message"));
  state.read_slot.AssertHeld();
  absl::Cleanup release_slot = [&] {
    state.read_slot.AssertHeld();
    (void)state.read_slot.Unlock();
  };
  MP_RETURN_IF_ERROR(LockWhenNotEmpty(deadline));
  state.mutex.AssertHeld();
  // The slot is ours: a reading mark found here was left by a reader that died
  // mid-copy. Its message was never freed, so it is read again.
  if (!internal::BugPutBack("dead_readers_mark_kept")) state.reading_end = 0;
  if (state.reading_end != 0) {
    (void)state.mutex.Unlock();
    return false;
  }
  const std::optional<uint64_t> length = FirstLengthLocked(state);
  if (!length.has_value()) return DamagedLocked(state);
  MP_RETURN_IF_ERROR(TakeFirstAndUnlock(state, *length, message, /*holding_read_slot=*/true));
  return true;
}

absl::Status ByteQueue::TakeFirstAndUnlock(State& state, uint64_t length, std::string& message,
                                           bool holding_read_slot) {
  const uint64_t start = state.read_position;
  const uint64_t end = start + kHeaderBytes + length;
  if (length < kCopyOutsideLockBytes || !holding_read_slot) {
    message.resize(length);
    CopyOutOfRing(state_.extra(), capacity_, start + kHeaderBytes, message.data(), length);
    if (length >= kCopyOutsideLockBytes) internal::RunCopyHook(internal::CopyStage::kReading);
    TakeFirstLocked(state, end);
    (void)state.mutex.Unlock();
    state.not_full.NotifyAll();
    return absl::OkStatus();
  }
  // Marked as being read: no producer writes over it (read_position has not moved), and
  // no other consumer takes it.
  state.reading_end = end;
  (void)state.mutex.Unlock();
  message.resize(length);
  const size_t half = length / 2;
  CopyOutOfRing(state_.extra(), capacity_, start + kHeaderBytes, message.data(), half);
  internal::RunCopyHook(internal::CopyStage::kReading);
  CopyOutOfRing(state_.extra(), capacity_, start + kHeaderBytes + half, message.data() + half,
                length - half);
  MP_RETURN_IF_ERROR(LockQueue(absl::InfiniteFuture()));
  state.mutex.AssertHeld();
  if (state.read_position != start || state.reading_end != end) return DamagedLocked(state);
  state.reading_end = 0;
  TakeFirstLocked(state, end);
  (void)state.mutex.Unlock();
  state.not_full.NotifyAll();
  return absl::OkStatus();
}

size_t ByteQueue::size() const { return state_->items.load(std::memory_order_acquire); }

bool ByteQueue::full() const {
  const uint64_t max_items = state_->max_items;
  return max_items > 0 && size() >= max_items;
}

absl::Status ByteQueue::TaskDone() {
  State& state = *state_;
  MP_RETURN_IF_ERROR(LockQueue(absl::InfiniteFuture()));
  state.mutex.AssertHeld();
  if (state.unfinished == 0) {
    (void)state.mutex.Unlock();
    return absl::FailedPreconditionError(
        "TaskDone() called more times than there were items put on the queue");
  }
  const bool all_done = --state.unfinished == 0;
  (void)state.mutex.Unlock();
  if (all_done) state.all_done.NotifyAll();
  return absl::OkStatus();
}

absl::Status ByteQueue::JoinTasks(absl::Duration timeout) {
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Join()"));
  State& state = *state_;
  MP_RETURN_IF_ERROR(LockWhen(
      state.all_done, absl::Now() + timeout,
      [&] {
        state.mutex.AssertHeld();
        return state.unfinished == 0;
      },
      "Join(): timed out with items not yet marked TaskDone() (did a consumer die?)"));
  state.mutex.AssertHeld();
  (void)state.mutex.Unlock();
  return absl::OkStatus();
}

ByteQueue& ByteQueue::operator=(ByteQueue&& other) noexcept {
  sentinel_.reset();
  state_ = std::move(other.state_);
  capacity_ = other.capacity_;
  spin_ = other.spin_;
  closed_ = other.closed_;
  sentinel_ = std::move(other.sentinel_);
  return *this;
}

void ByteQueue::SentinelDeleter::operator()(internal::QueueSentinel* sentinel) const {
  if (sentinel->Ours()) delete sentinel;
}

absl::StatusOr<int> ByteQueue::sentinel() {
  if (closed_) return ClosedError("sentinel()");
  if (sentinel_ == nullptr || !sentinel_->Ours()) {
    State& state = *state_;
    absl::StatusOr<std::unique_ptr<internal::QueueSentinel>> started =
        internal::QueueSentinel::Start(state.items, state.not_empty, state.not_full);
    if (!started.ok()) return started.status();
    sentinel_.reset(started->release());
  }
  return sentinel_->fd();
}

}  // namespace mp
