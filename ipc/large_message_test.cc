// Large messages (ByteQueue::kCopyOutsideLockBytes and more) are copied without the
// queue's lock: these tests show that a consumer copies while a producer does, and that a
// producer or consumer killed in the middle of such a copy leaves the queue usable, as
// one killed under the lock does (queue_test.cc).
//
// A child stops in the middle of its copy through the test hook (internal/copy_hook.h)
// and the test kills it there: the same state a SIGKILL at that instant would leave.

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "ipc/byte_queue.h"
#include "ipc/event.h"
#include "ipc/internal/copy_hook.h"
#include "ipc/shared_array.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"
#include "process/testing/counterfactual.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;

constexpr absl::Duration kGenerous = absl::Seconds(120);
constexpr size_t kLarge = ByteQueue::kCopyOutsideLockBytes;

class LargeMessageTest : public test::IpcLeakCheckedTest {};

// A message whose every byte depends on its tag and place: a torn or stale copy shows.
std::string Pattern(size_t size, uint32_t tag) {
  std::string text(size, '\0');
  for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>((i * 131) ^ (tag * 7919) ^ (i >> 9));
  return text;
}

// In the child: where the hook says it stopped, and what it waits for before going on.
Event* stopped_in_copy = nullptr;
Event* go_on = nullptr;

void StopUntilKilled(internal::CopyStage) {
  stopped_in_copy->Set();
  pause();
}

void StopUntilTold(internal::CopyStage) {
  stopped_in_copy->Set();
  (void)go_on->Wait(kGenerous);
}

// Passes when a Get() takes a large message while a producer is in the middle of copying
// the next one: the copies overlap, since neither holds the queue's lock.
TEST_F(LargeMessageTest, AConsumerCopiesWhileAProducerIsMidCopy) {
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create();
  absl::StatusOr<Event> stopped = Event::Create();
  absl::StatusOr<Event> go = Event::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(stopped, IsOk());
  ASSERT_THAT(go, IsOk());
  ASSERT_THAT(queue->Put(Pattern(kLarge, 1)), IsOk());

  Process producer([&] {
    stopped_in_copy = &*stopped;
    go_on = &*go;
    internal::SetCopyHookForTesting(StopUntilTold);
    return queue->Put(Pattern(kLarge, 2)).ok() ? 0 : 1;
  });
  ASSERT_THAT(producer.Start(), IsOk());
  ASSERT_THAT(stopped->Wait(kGenerous), IsOk());
  // (Bounded: with the copy under the lock, this waits for the producer's lock for ever.)
  absl::StatusOr<std::string> first = queue->Get(internal::BoundOnWaits(kGenerous));
  go->Set();
  ASSERT_THAT(first, IsOk());
  EXPECT_TRUE(*first == Pattern(kLarge, 1));
  EXPECT_THAT(queue->Get(kGenerous), IsOkAndHolds(Pattern(kLarge, 2)));
  ASSERT_THAT(producer.Join(kGenerous), IsOk());
  EXPECT_EQ(producer.exit_code(), 0);
}

TEST_F(LargeMessageTest, CopyingUnderTheLockFailsTheOverlap) {
  EXPECT_THAT(test::FailsWithBugPutBack("LargeMessageTest.AConsumerCopiesWhileAProducerIsMidCopy",
                                        "large_messages_copied_under_the_lock"),
              IsOk());
}

// Passes when a message being copied in is not seen by Get() until the copy is done,
// and one being copied out is not written over by a Put() until that copy is done.
TEST_F(LargeMessageTest, WhatIsMidCopyIsNeitherSeenNorWrittenOver) {
  // Room for one large message and nothing more.
  absl::StatusOr<ByteQueue> queue =
      ByteQueue::Create({.capacity_bytes = kLarge + ByteQueue::kHeaderBytes});
  absl::StatusOr<Event> stopped = Event::Create();
  absl::StatusOr<Event> go = Event::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(stopped, IsOk());
  ASSERT_THAT(go, IsOk());

  Process producer([&] {
    stopped_in_copy = &*stopped;
    go_on = &*go;
    internal::SetCopyHookForTesting(StopUntilTold);
    return queue->Put(Pattern(kLarge, 1)).ok() ? 0 : 1;
  });
  ASSERT_THAT(producer.Start(), IsOk());
  ASSERT_THAT(stopped->Wait(kGenerous), IsOk());
  EXPECT_EQ(queue->size(), 0);
  EXPECT_THAT(queue->Get(absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));
  go->Set();
  ASSERT_THAT(producer.Join(kGenerous), IsOk());
  EXPECT_EQ(producer.exit_code(), 0);

  stopped->Clear();
  go->Clear();
  Process consumer([&] {
    stopped_in_copy = &*stopped;
    go_on = &*go;
    internal::SetCopyHookForTesting(StopUntilTold);
    absl::StatusOr<std::string> got = queue->Get();
    return got.ok() && *got == Pattern(kLarge, 1) ? 0 : 1;
  });
  ASSERT_THAT(consumer.Start(), IsOk());
  ASSERT_THAT(stopped->Wait(kGenerous), IsOk());
  EXPECT_THAT(queue->Put("x", absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));
  go->Set();
  ASSERT_THAT(consumer.Join(kGenerous), IsOk());
  EXPECT_EQ(consumer.exit_code(), 0) << "the message changed while it was read";
  EXPECT_THAT(queue->Put("x", absl::ZeroDuration()), IsOk());
}

// Passes when a producer killed halfway through copying a large message leaves a queue
// that the others use normally: its message never appears, the room it reserved is
// taken back, and small and large Put()s after it are delivered in order.
TEST_F(LargeMessageTest, AProducerKilledMidCopyLeavesTheQueueUsable) {
  // Room for exactly two large messages: the dead one's room must come back for the next.
  absl::StatusOr<ByteQueue> queue =
      ByteQueue::Create({.capacity_bytes = 2 * (kLarge + ByteQueue::kHeaderBytes) + 64});
  absl::StatusOr<Event> stopped = Event::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(stopped, IsOk());
  ASSERT_THAT(queue->Put("before"), IsOk());

  Process doomed([&] {
    stopped_in_copy = &*stopped;
    internal::SetCopyHookForTesting(StopUntilKilled);
    return queue->Put(Pattern(kLarge, 1)).ok() ? 0 : 1;
  });
  ASSERT_THAT(doomed.Start(), IsOk());
  ASSERT_THAT(stopped->Wait(kGenerous), IsOk());
  ASSERT_THAT(doomed.Kill(), IsOk());
  ASSERT_THAT(doomed.Join(kGenerous), IsOk());

  // (Bounded: with slots that are not robust, these wait for the dead producer for ever.)
  const absl::Duration bound = internal::BoundOnWaits(kGenerous);
  ASSERT_THAT(queue->Put("after", bound), IsOk());
  ASSERT_THAT(queue->Put(Pattern(kLarge, 2), bound), IsOk());
  EXPECT_EQ(queue->size(), 3);
  EXPECT_THAT(queue->Get(bound), IsOkAndHolds("before"));
  EXPECT_THAT(queue->Get(bound), IsOkAndHolds("after"));
  EXPECT_THAT(queue->Get(bound), IsOkAndHolds(Pattern(kLarge, 2)));
  EXPECT_EQ(queue->size(), 0);
}

TEST_F(LargeMessageTest, SlotsThatAreNotRobustFailAProducerKilledMidCopy) {
  EXPECT_THAT(test::FailsWithBugPutBack("LargeMessageTest.AProducerKilledMidCopyLeavesTheQueueUsable",
                                        "lock_not_robust"),
              IsOk());
}

// Passes when a consumer killed halfway through copying a large message out leaves it
// queued for the next consumer, whole, followed by what came after it.
TEST_F(LargeMessageTest, AConsumerKilledMidCopyLeavesTheMessageForTheNext) {
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create();
  absl::StatusOr<Event> stopped = Event::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(stopped, IsOk());
  ASSERT_THAT(queue->Put(Pattern(kLarge + 1, 1)), IsOk());
  ASSERT_THAT(queue->Put("next"), IsOk());

  Process doomed([&] {
    stopped_in_copy = &*stopped;
    internal::SetCopyHookForTesting(StopUntilKilled);
    return queue->Get().ok() ? 0 : 1;
  });
  ASSERT_THAT(doomed.Start(), IsOk());
  ASSERT_THAT(stopped->Wait(kGenerous), IsOk());
  ASSERT_THAT(doomed.Kill(), IsOk());
  ASSERT_THAT(doomed.Join(kGenerous), IsOk());

  // (Bounded: if the dead reader's mark were kept, these would wait for it for ever.)
  const absl::Duration bound = internal::BoundOnWaits(kGenerous);
  EXPECT_EQ(queue->size(), 2);
  absl::StatusOr<std::string> again = queue->Get(bound);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(*again == Pattern(kLarge + 1, 1));
  EXPECT_THAT(queue->Get(bound), IsOkAndHolds("next"));
  EXPECT_EQ(queue->size(), 0);
}

TEST_F(LargeMessageTest, KeepingADeadReadersMarkFailsAConsumerKilledMidCopy) {
  EXPECT_THAT(test::FailsWithBugPutBack("LargeMessageTest.AConsumerKilledMidCopyLeavesTheMessageForTheNext",
                                        "dead_readers_mark_kept"),
              IsOk());
}

// Passes when two producers putting large and small messages in turn (and batches of
// both) through a ring that wraps many times reach two consumers exactly once each,
// whole, and in each producer's order.
TEST_F(LargeMessageTest, MixedSizesFromManyProducersArriveWholeOnceAndInOrder) {
  constexpr int kProducers = 2;
  constexpr int kConsumers = 2;
  constexpr uint32_t kEach = 300;
  // Room for a few large messages only, so that producers wait and the ring wraps.
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 4 * kLarge});
  absl::StatusOr<RawSharedArray<uint32_t>> deliveries =
      RawSharedArray<uint32_t>::Create(kProducers * kEach);
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(deliveries, IsOk());
  // Message i of producer p: 4 bytes of tag (p * kEach + i), then a pattern of it.
  auto size_of = [](uint32_t i) -> size_t { return i % 3 == 0 ? 16 : kLarge + 97 * i; };
  auto message = [&](uint32_t tag) {
    std::string text = Pattern(size_of(tag % kEach), tag);
    std::memcpy(text.data(), &tag, sizeof tag);
    return text;
  };

  std::vector<Process> everyone;
  for (uint32_t p = 0; p < kProducers; ++p) {
    everyone.emplace_back([&, p] {
      for (uint32_t i = 0; i < kEach;) {
        if (i % 10 == 5 && i + 1 < kEach) {  // now and then a batch of two
          const std::string a = message(p * kEach + i), b = message(p * kEach + i + 1);
          const std::string_view batch[] = {a, b};
          absl::StatusOr<size_t> put = queue->PutBatch(batch, kGenerous);
          if (!put.ok()) return 1;
          i += static_cast<uint32_t>(*put);
        } else {
          if (!queue->Put(message(p * kEach + i), kGenerous).ok()) return 1;
          ++i;
        }
      }
      return 0;
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    everyone.emplace_back([&] {
      // A wrong message is counted and the consumer goes on, so that producers never
      // wait for room that a consumer who quit would not make.
      std::vector<int64_t> last(kProducers, -1);
      int wrong = 0;
      std::string got;
      for (;;) {
        if (!queue->GetInto(got, kGenerous).ok()) return 1;
        if (got == "stop") return wrong == 0 ? 0 : 2;
        uint32_t tag = 0;
        if (got.size() >= sizeof tag) std::memcpy(&tag, got.data(), sizeof tag);
        if (tag >= kProducers * kEach || got != message(tag)) {  // torn or stale
          ++wrong;
          continue;
        }
        const uint32_t p = tag / kEach, i = tag % kEach;
        if (static_cast<int64_t>(i) <= last[p]) ++wrong;  // out of order
        last[p] = i;
        std::atomic_ref<uint32_t>((*deliveries)[tag]).fetch_add(1);
      }
    });
  }
  for (Process& process : everyone) ASSERT_THAT(process.Start(), IsOk());
  for (int p = 0; p < kProducers; ++p) {
    ASSERT_THAT(everyone[p].Join(kGenerous), IsOk());
    EXPECT_EQ(everyone[p].exit_code(), 0);
  }
  for (int c = 0; c < kConsumers; ++c) ASSERT_THAT(queue->Put("stop"), IsOk());
  for (int c = 0; c < kConsumers; ++c) {
    ASSERT_THAT(everyone[kProducers + c].Join(kGenerous), IsOk());
    EXPECT_EQ(everyone[kProducers + c].exit_code(), 0);
  }
  for (uint32_t tag = 0; tag < kProducers * kEach; ++tag) {
    EXPECT_EQ((*deliveries)[tag], 1u) << "message " << tag;
  }
}

// Passes when threads of one process share the queue: the same copies without the lock,
// where ThreadSanitizer can see them (it cannot see into other processes).
TEST_F(LargeMessageTest, ThreadsOfOneProcessPassLargeMessagesWhole) {
  constexpr uint32_t kMessages = 60;
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 3 * kLarge});
  ASSERT_THAT(queue, IsOk());
  std::thread producer([&] {
    for (uint32_t i = 0; i < kMessages; ++i) ASSERT_THAT(queue->Put(Pattern(kLarge + i, i), kGenerous), IsOk());
  });
  std::string got;
  for (uint32_t i = 0; i < kMessages; ++i) {
    ASSERT_THAT(queue->GetInto(got, kGenerous), IsOk());
    EXPECT_TRUE(got == Pattern(kLarge + i, i)) << "message " << i;
  }
  producer.join();
}

}  // namespace
}  // namespace mp
