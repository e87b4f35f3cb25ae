#include "ipc/queue.h"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/byte_queue.h"
#include "ipc/event.h"
#include "ipc/internal/shared_state.h"
#include "ipc/shared_array.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"
#include "process/task_registry.h"
#include "process/wait.h"
#include "process/testing/leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;

constexpr absl::Duration kGenerous = absl::Seconds(120);

class QueueTest : public test::IpcLeakCheckedTest {};

// Passes when 4 producers x 100k items through 4 consumers arrive exactly once each,
// and every consumer sees each producer's items in the order they were put.
TEST_F(QueueTest, FourProducersAndFourConsumersDeliverEveryItemExactlyOnce) {
  constexpr int kProducers = 4;
  constexpr int kConsumers = 4;
  constexpr int64_t kItemsEach = 100'000;
  constexpr int64_t kStop = -1;
  // A small ring, so that producers wait for room and positions wrap many times.
  absl::StatusOr<Queue<int64_t>> queue = Queue<int64_t>::Create({.capacity_bytes = 64 << 10});
  absl::StatusOr<RawSharedArray<uint32_t>> deliveries =
      RawSharedArray<uint32_t>::Create(kProducers * kItemsEach);
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(deliveries, IsOk());

  std::vector<Process> everyone;
  for (int p = 0; p < kProducers; ++p) {
    everyone.emplace_back([&, p] {
      for (int64_t i = 0; i < kItemsEach; ++i) {
        if (!queue->Put(p * kItemsEach + i, kGenerous).ok()) return 1;
      }
      return 0;
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    everyone.emplace_back([&] {
      std::vector<int64_t> last_from(kProducers, -1);
      while (true) {
        absl::StatusOr<int64_t> item = queue->Get(kGenerous);
        if (!item.ok()) return 1;
        if (*item == kStop) return 0;
        const int64_t producer = *item / kItemsEach;
        if (*item <= last_from[producer]) return 2;  // out of order
        last_from[producer] = *item;
        std::atomic_ref<uint32_t>((*deliveries)[*item]).fetch_add(1);
      }
    });
  }
  for (Process& process : everyone) ASSERT_THAT(process.Start(), IsOk());
  for (int p = 0; p < kProducers; ++p) {
    ASSERT_THAT(everyone[p].Join(kGenerous), IsOk());
    EXPECT_EQ(everyone[p].exit_code(), 0);
  }
  for (int c = 0; c < kConsumers; ++c) ASSERT_THAT(queue->Put(kStop), IsOk());
  for (int c = 0; c < kConsumers; ++c) {
    ASSERT_THAT(everyone[kProducers + c].Join(kGenerous), IsOk());
    EXPECT_EQ(everyone[kProducers + c].exit_code(), 0);
  }

  int64_t missing = 0, duplicated = 0;
  for (uint32_t count : deliveries->span()) {
    missing += count == 0;
    duplicated += count > 1;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(queue->size(), 0);
}

std::string PatternOfSize(size_t size) {
  std::string text(size, '\0');
  for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>(i * 131 + size);
  return text;
}

// Passes when messages from 0 bytes to the largest that fits, wrapping around the ring's
// end at every offset, come out whole; one byte more is refused up front, naming the size.
TEST_F(QueueTest, MessagesUpToTheCapacityArriveWholeAndLargerOnesAreRefused) {
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 1000});
  ASSERT_THAT(queue, IsOk());
  const size_t largest = queue->max_message_bytes();
  EXPECT_EQ(largest, 1000 - ByteQueue::kHeaderBytes);
  std::vector<size_t> sizes = {0, 1, 7, 8, 9, 100, 500, largest};
  for (size_t size = 1; size < 300; size += 37) sizes.push_back(size);

  Process producer([&] {
    for (int round = 0; round < 5; ++round) {
      for (size_t size : sizes) {
        if (!queue->Put(PatternOfSize(size), kGenerous).ok()) return 1;
      }
    }
    return 0;
  });
  ASSERT_THAT(producer.Start(), IsOk());
  for (int round = 0; round < 5; ++round) {
    for (size_t size : sizes) {
      absl::StatusOr<std::string> message = queue->Get(kGenerous);
      ASSERT_THAT(message, IsOk());
      EXPECT_TRUE(*message == PatternOfSize(size)) << "message of " << size << " bytes";
    }
  }
  ASSERT_THAT(producer.Join(kGenerous), IsOk());
  EXPECT_EQ(producer.exit_code(), 0);

  // An empty view may have no data at all (a null pointer): still an empty message.
  ASSERT_THAT(queue->Put(std::string_view()), IsOk());
  EXPECT_THAT(queue->Get(kGenerous), IsOkAndHolds(""));

  EXPECT_THAT(queue->Put(std::string(largest + 1, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capacity_bytes")));
  EXPECT_THAT(ByteQueue::Create({.capacity_bytes = 10}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(QueueTest, GetOnEmptyAndPutOnFullTimeOut) {
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.max_items = 1});
  ASSERT_THAT(queue, IsOk());
  EXPECT_THAT(queue->Get(absl::Milliseconds(1)), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(queue->Get(absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_THAT(queue->Put("only one fits"), IsOk());
  EXPECT_THAT(queue->Put("x", absl::Milliseconds(1)), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(queue->Get(), IsOkAndHolds("only one fits"));
  EXPECT_THAT(queue->Put("x", absl::Seconds(-1)), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Passes when empty() and full() follow the queue (Python's Queue.empty() and full()),
// whatever process put or took the items.
TEST_F(QueueTest, EmptyAndFullFollowWhatIsQueued) {
  absl::StatusOr<Queue<int>> queue = Queue<int>::Create({.max_items = 2});
  absl::StatusOr<Queue<int>> unbounded = Queue<int>::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(unbounded, IsOk());
  EXPECT_TRUE(queue->empty());
  EXPECT_FALSE(queue->full());
  Process producer([&] { return queue->Put(1).ok() && queue->Put(2).ok() ? 0 : 1; });
  ASSERT_THAT(producer.Start(), IsOk());
  ASSERT_THAT(producer.Join(kGenerous), IsOk());
  EXPECT_EQ(producer.exit_code(), 0);
  EXPECT_FALSE(queue->empty());
  EXPECT_TRUE(queue->full());
  EXPECT_THAT(queue->Get(), IsOkAndHolds(1));
  EXPECT_FALSE(queue->full());
  ASSERT_THAT(unbounded->Put(7), IsOk());
  EXPECT_FALSE(unbounded->full()) << "no max_items: never full by count";
}

// Passes when PutBatch() appends in order as many messages as fit, leaves the rest to the
// caller, and refuses a first message that can never fit.
// Passes when a closed handle refuses Put() and Get() (Python's ValueError after close())
// while another process's handle on the same queue goes on working.
TEST_F(QueueTest, AClosedHandleRefusesPutAndGetAndOthersGoOn) {
  absl::StatusOr<Queue<int>> queue = Queue<int>::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(queue->Put(1), IsOk());
  Process other([&] {
    absl::StatusOr<Queue<int>> mine = Queue<int>::Attach(queue->name());
    if (!mine.ok()) return 1;
    absl::StatusOr<int> got = mine->Get(kGenerous);
    return got.ok() && *got == 1 && mine->Put(2).ok() ? 0 : 2;
  });
  queue->Close();
  EXPECT_TRUE(queue->closed());
  EXPECT_THAT(queue->Put(3), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Close()")));
  EXPECT_THAT(queue->Get(absl::ZeroDuration()), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(other.Start(), IsOk());
  ASSERT_THAT(other.Join(kGenerous), IsOk());
  EXPECT_EQ(other.exit_code(), 0);
  EXPECT_EQ(queue->size(), 1u) << "the other handle's Put() arrived";
}

TEST_F(QueueTest, PutBatchAppendsInOrderAsManyAsFit) {
  // Each 8-byte message takes 16 bytes of ring: four fit in 64.
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 64});
  ASSERT_THAT(queue, IsOk());
  const std::vector<std::string_view> five = {"message1", "message2", "message3", "message4",
                                              "message5"};
  EXPECT_THAT(queue->PutBatch(five, absl::ZeroDuration()), IsOkAndHolds(4));
  EXPECT_THAT(queue->PutBatch({five[4]}, absl::Milliseconds(1)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(queue->Get(), IsOkAndHolds("message1"));
  EXPECT_THAT(queue->PutBatch({five[4]}, absl::ZeroDuration()), IsOkAndHolds(1));
  for (std::string_view expected : {"message2", "message3", "message4", "message5"}) {
    EXPECT_THAT(queue->Get(absl::ZeroDuration()), IsOkAndHolds(expected));
  }
  EXPECT_THAT(queue->PutBatch({}), IsOkAndHolds(0));
  const std::string too_large(64, 'x');
  EXPECT_THAT(queue->PutBatch({too_large, "small"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capacity_bytes")));
  EXPECT_EQ(queue->size(), 0);

  // The item limit counts too.
  absl::StatusOr<ByteQueue> two_items = ByteQueue::Create({.max_items = 2});
  ASSERT_THAT(two_items, IsOk());
  EXPECT_THAT(two_items->PutBatch({"a", "b", "c"}), IsOkAndHolds(2));
}

// Passes when a consumer asleep in another process is woken by a PutBatch() and finds
// every message of it, in order.
TEST_F(QueueTest, ASleepingConsumerReceivesAWholeBatch) {
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.spin = absl::ZeroDuration()});
  ASSERT_THAT(queue, IsOk());
  Process consumer([&] {
    for (std::string_view expected : {"one", "two", "three"}) {
      absl::StatusOr<std::string> message = queue->Get(kGenerous);
      if (!message.ok() || *message != expected) return 1;
    }
    return 0;
  });
  ASSERT_THAT(consumer.Start(), IsOk());
  ASSERT_THAT(queue->PutBatch({"one", "two", "three"}), IsOkAndHolds(3));
  ASSERT_THAT(consumer.Join(kGenerous), IsOk());
  EXPECT_EQ(consumer.exit_code(), 0);
}

// Passes when a Get() asleep in another process (no spinning) is woken by the next Put().
TEST_F(QueueTest, AGetWaitingInAnotherProcessReceivesTheNextPut) {
  absl::StatusOr<Queue<std::string>> queue = Queue<std::string>::Create({.spin = absl::ZeroDuration()});
  ASSERT_THAT(queue, IsOk());
  Process consumer([&] {
    absl::StatusOr<std::string> item = queue->Get(kGenerous);
    return item.ok() && *item == "wake up" ? 0 : 1;
  });
  ASSERT_THAT(consumer.Start(), IsOk());
  ASSERT_THAT(queue->Put("wake up"), IsOk());
  ASSERT_THAT(consumer.Join(kGenerous), IsOk());
  EXPECT_EQ(consumer.exit_code(), 0);
}

// Passes when two consumers asleep in Get() both receive one of two Puts made back to
// back. Only a Put() on an empty queue wakes consumers (the second finds the first's
// message still there), so the first must wake every sleeper: one that woke only one
// would leave the other asleep beside a message.
TEST_F(QueueTest, TwoPutsInARowReachTwoSleepingConsumers) {
  absl::StatusOr<Queue<int>> queue = Queue<int>::Create({.spin = absl::ZeroDuration()});
  ASSERT_THAT(queue, IsOk());
  absl::StatusOr<internal::SharedState<ByteQueue::State>> state =
      internal::SharedState<ByteQueue::State>::Attach(queue->name());
  ASSERT_THAT(state, IsOk());
  std::vector<Process> consumers;
  for (int c = 0; c < 2; ++c) {
    consumers.emplace_back([&] {
      absl::StatusOr<int> item = queue->Get(kGenerous);
      return item.ok() && (*item == 1 || *item == 2) ? 0 : 1;
    });
  }
  for (Process& consumer : consumers) ASSERT_THAT(consumer.Start(), IsOk());
  // Both must be asleep before the Puts: counted as waiters, and sleeping (which, once
  // counted, they can only be doing in the kernel's futex wait).
  auto both_asleep = [&] {
    return (*state)->not_empty.waiters.load() == 2 &&
           test::ProcessState(*consumers[0].pid()) == 'S' &&
           test::ProcessState(*consumers[1].pid()) == 'S';
  };
  const absl::Time give_up = absl::Now() + kGenerous;
  while (!both_asleep() && absl::Now() < give_up) sched_yield();
  ASSERT_TRUE(both_asleep());
  ASSERT_THAT(queue->Put(1), IsOk());
  ASSERT_THAT(queue->Put(2), IsOk());
  // A bound far above the microseconds this takes, and under the test's own timeout.
  for (Process& consumer : consumers) {
    ASSERT_THAT(consumer.Join(absl::Seconds(20)), IsOk()) << "a consumer was never woken";
    EXPECT_EQ(consumer.exit_code(), 0);
  }
  EXPECT_EQ(queue->size(), 0);
}

// What a consumer killed inside Get() may have done before dying, holding the queue's lock.
enum class DiedAfter { kLockingOnly, kCopyingHalf, kMovingTheReadPosition };

class QueueDeathTest : public QueueTest, public ::testing::WithParamInterface<DiedAfter> {};

INSTANTIATE_TEST_SUITE_P(AtEveryStep, QueueDeathTest,
                         ::testing::Values(DiedAfter::kLockingOnly, DiedAfter::kCopyingHalf,
                                           DiedAfter::kMovingTheReadPosition));

// Passes when a consumer SIGKILLed at any step of a Get(), holding the lock, leaves a
// queue that the others use normally: the message it was reading is still delivered,
// unless it had already taken it, and the item count is right.
TEST_P(QueueDeathTest, AConsumerKilledMidReadLeavesTheQueueUsable) {
  absl::StatusOr<Queue<std::string>> queue = Queue<std::string>::Create();
  absl::StatusOr<Event> holding = Event::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(holding, IsOk());
  ASSERT_THAT(queue->Put("first"), IsOk());
  ASSERT_THAT(queue->Put("second"), IsOk());

  // The doomed consumer does by hand, on the queue's own state, the steps of a Get().
  Process doomed([&] {
    absl::StatusOr<internal::SharedState<ByteQueue::State>> state =
        internal::SharedState<ByteQueue::State>::Attach(queue->name());
    if (!state.ok() || !(*state)->mutex.Lock(absl::InfiniteFuture()).ok()) return 1;
    ByteQueue::State& s = **state;
    s.mutex.AssertHeld();
    char half[8];
    if (GetParam() != DiedAfter::kLockingOnly) std::memcpy(half, state->extra(), sizeof(half));
    if (GetParam() == DiedAfter::kMovingTheReadPosition) {
      uint64_t length;
      std::memcpy(&length, state->extra(), sizeof(length));
      s.read_position += ByteQueue::kHeaderBytes + length;  // took "first"; count not updated
    }
    holding->Set();
    pause();
    return 0;
  });
  ASSERT_THAT(doomed.Start(), IsOk());
  ASSERT_THAT(holding->Wait(kGenerous), IsOk());
  ASSERT_THAT(doomed.Kill(), IsOk());
  ASSERT_THAT(doomed.Join(kGenerous), IsOk());

  Process survivor([&] {
    std::vector<std::string> expected = {"first", "second", "third"};
    if (GetParam() == DiedAfter::kMovingTheReadPosition) expected.erase(expected.begin());
    if (!queue->Put("third").ok() || queue->size() != expected.size()) return 1;
    for (const std::string& want : expected) {
      absl::StatusOr<std::string> got = queue->Get(kGenerous);
      if (!got.ok() || *got != want) return 2;
    }
    return queue->size() == 0 ? 0 : 3;
  });
  ASSERT_THAT(survivor.Start(), IsOk());
  ASSERT_THAT(survivor.Join(kGenerous), IsOk());
  EXPECT_EQ(survivor.exit_code(), 0);
}

// Passes when a consumer killed while blocked in Get() does not stop the next one.
TEST_F(QueueTest, AConsumerKilledWhileWaitingDoesNotStopTheOthers) {
  absl::StatusOr<Queue<int>> queue = Queue<int>::Create();
  ASSERT_THAT(queue, IsOk());
  Process doomed([&] { return queue->Get().ok() ? 0 : 1; });
  ASSERT_THAT(doomed.Start(), IsOk());
  ASSERT_THAT(doomed.Kill(), IsOk());
  ASSERT_THAT(doomed.Join(kGenerous), IsOk());
  Process consumer([&] { return queue->Get(kGenerous).value_or(0) == 5 ? 0 : 1; });
  ASSERT_THAT(consumer.Start(), IsOk());
  ASSERT_THAT(queue->Put(5), IsOk());
  ASSERT_THAT(consumer.Join(kGenerous), IsOk());
  EXPECT_EQ(consumer.exit_code(), 0);
}

// Passes when Join() returns once consumers in other processes have marked every item
// done, times out while one is unfinished, and extra TaskDone()s are refused.
TEST_F(QueueTest, JoinWaitsForEveryTaskToBeDone) {
  absl::StatusOr<JoinableQueue<int>> tasks = JoinableQueue<int>::Create();
  ASSERT_THAT(tasks, IsOk());
  for (int i = 0; i < 10; ++i) ASSERT_THAT(tasks->Put(i), IsOk());
  EXPECT_THAT(tasks->Join(absl::Milliseconds(1)), StatusIs(absl::StatusCode::kDeadlineExceeded));

  std::vector<Process> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&] {
      for (int n = 0; n < 5; ++n) {
        if (!tasks->Get(kGenerous).ok() || !tasks->TaskDone().ok()) return 1;
      }
      return 0;
    });
  }
  for (Process& worker : workers) ASSERT_THAT(worker.Start(), IsOk());
  EXPECT_THAT(tasks->Join(kGenerous), IsOk());
  for (Process& worker : workers) {
    ASSERT_THAT(worker.Join(kGenerous), IsOk());
    EXPECT_EQ(worker.exit_code(), 0);
  }
  EXPECT_THAT(tasks->TaskDone(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Run in a spawned program: answers each request on `replies`, until "stop".
int Uppercase(std::string requests_name, std::string replies_name) {
  absl::StatusOr<Queue<std::string>> requests = Queue<std::string>::Attach(requests_name);
  absl::StatusOr<Queue<std::map<std::string, int>>> replies =
      Queue<std::map<std::string, int>>::Attach(replies_name);
  if (!requests.ok() || !replies.ok()) return 1;
  while (true) {
    absl::StatusOr<std::string> request = requests->Get(kGenerous);
    if (!request.ok()) return 2;
    if (*request == "stop") return 0;
    if (!replies->Put({{*request, static_cast<int>(request->size())}}).ok()) return 3;
  }
}
MP_REGISTER_TASK(Uppercase);

// Passes when a spawned program attaches to typed queues by name and values of
// different types go both ways; a value read as the wrong type is refused.
TEST_F(QueueTest, TypedValuesTravelToAndFromASpawnedProgram) {
  absl::StatusOr<Queue<std::string>> requests = Queue<std::string>::Create();
  absl::StatusOr<Queue<std::map<std::string, int>>> replies =
      Queue<std::map<std::string, int>>::Create();
  ASSERT_THAT(requests, IsOk());
  ASSERT_THAT(replies, IsOk());
  Process worker({.start_method = StartMethod::kSpawn}, Uppercase, requests->name(),
                 replies->name());
  ASSERT_THAT(worker.Start(), IsOk());
  ASSERT_THAT(requests->Put("hello"), IsOk());
  EXPECT_THAT(replies->Get(kGenerous),
              IsOkAndHolds(std::map<std::string, int>{{"hello", 5}}));
  ASSERT_THAT(requests->Put("stop"), IsOk());
  ASSERT_THAT(worker.Join(kGenerous), IsOk());
  EXPECT_EQ(worker.exit_code(), 0);

  ASSERT_THAT(requests->Put("not a number"), IsOk());
  absl::StatusOr<Queue<int64_t>> misread = Queue<int64_t>::Attach(requests->name());
  ASSERT_THAT(misread, IsOk());
  EXPECT_THAT(misread->Get(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("wrong type")));
}

// Skips a test whose forked child starts a thread (a sentinel's) while its parent has one:
// ThreadSanitizer refuses that ("starting new threads after multi-threaded fork is not
// supported"); glibc and these sentinels do not mind.
#if defined(__SANITIZE_THREAD__)
#define MP_SKIP_UNDER_TSAN_IF_FORKED(forked)                                                  \
  if (forked) GTEST_SKIP() << "ThreadSanitizer cannot start a thread in a child forked from " \
                              "a process with threads"
#else
#define MP_SKIP_UNDER_TSAN_IF_FORKED(forked) (void)(forked)
#endif

// True once mp::Wait() no longer finds `fd` readable; false if it still is at `deadline`.
// (The sentinel's thread clears it soon after the queue empties, not at the same moment.)
bool BecomesUnreadable(int fd, absl::Time deadline) {
  while (absl::Now() < deadline) {
    absl::StatusOr<std::vector<int>> ready = Wait({fd}, absl::ZeroDuration());
    if (!ready.ok()) return false;
    if (ready->empty()) return true;
    sched_yield();
  }
  return false;
}

// Passes when a queue's sentinel is readable exactly while the queue holds a message: not
// before a Put(), as soon as one lands (from another process), and not once it is taken.
TEST_F(QueueTest, ASentinelIsReadableWhileTheQueueHoldsAMessage) {
  absl::StatusOr<Queue<int64_t>> queue = Queue<int64_t>::Create();
  ASSERT_THAT(queue, IsOk());
  absl::StatusOr<int> sentinel = queue->sentinel();
  ASSERT_THAT(sentinel, IsOk());
  EXPECT_THAT(queue->sentinel(), IsOkAndHolds(*sentinel)) << "one per handle";
  EXPECT_THAT(Wait({*sentinel}, absl::ZeroDuration()), IsOkAndHolds(::testing::IsEmpty()));

  Process producer([&queue] { return queue->Put(42).ok() ? 0 : 1; });
  ASSERT_THAT(producer.Start(), IsOk());
  EXPECT_THAT(Wait({*sentinel}, kGenerous), IsOkAndHolds(::testing::ElementsAre(*sentinel)));
  EXPECT_THAT(Wait({*sentinel}, absl::ZeroDuration()),
              IsOkAndHolds(::testing::ElementsAre(*sentinel)))
      << "it stays readable while the message is there";
  EXPECT_THAT(queue->Get(absl::ZeroDuration()), IsOkAndHolds(42));
  EXPECT_TRUE(BecomesUnreadable(*sentinel, absl::Now() + kGenerous));
  ASSERT_THAT(producer.Join(), IsOk());

  // Again, for a queue that was not empty when the sentinel started.
  ASSERT_THAT(queue->Put(7), IsOk());
  absl::StatusOr<Queue<int64_t>> other = Queue<int64_t>::Attach(queue->name());
  ASSERT_THAT(other, IsOk());
  absl::StatusOr<int> other_sentinel = other->sentinel();
  ASSERT_THAT(other_sentinel, IsOk());
  EXPECT_NE(*other_sentinel, *sentinel) << "each handle its own";
  EXPECT_THAT(Wait({*other_sentinel}, kGenerous), IsOkAndHolds(::testing::SizeIs(1)));
  queue->Close();
  EXPECT_THAT(queue->sentinel(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Passes when one mp::Wait() watches a queue and a process together and says which is
// ready: the queue, while its producer still runs; then the producer, once it has ended.
TEST_F(QueueTest, OneWaitWatchesAQueueAndAProcessTogether) {
  absl::StatusOr<Queue<std::string>> queue = Queue<std::string>::Create();
  absl::StatusOr<Event> may_end = Event::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(may_end, IsOk());
  Process producer([&] {
    return queue->Put("first").ok() && may_end->Wait(kGenerous).ok() ? 0 : 1;
  });
  ASSERT_THAT(producer.Start(), IsOk());
  absl::StatusOr<int> message = queue->sentinel();
  absl::StatusOr<int> ended = producer.sentinel();
  ASSERT_THAT(message, IsOk());
  ASSERT_THAT(ended, IsOk());
  EXPECT_THAT(Wait({*ended, *message}, kGenerous), IsOkAndHolds(::testing::ElementsAre(*message)));
  EXPECT_THAT(queue->Get(absl::ZeroDuration()), IsOkAndHolds("first"));
  EXPECT_TRUE(BecomesUnreadable(*message, absl::Now() + kGenerous));
  may_end->Set();
  EXPECT_THAT(Wait({*ended, *message}, kGenerous), IsOkAndHolds(::testing::ElementsAre(*ended)));
  ASSERT_THAT(producer.Join(), IsOk());
  EXPECT_EQ(producer.exit_code(), 0);
}

// A consumer in another process: attaches by name, waits on its own sentinel, takes the
// value, and exits 0 if it was `expected`.
int WaitOnASentinelThenGet(std::string name, int64_t expected) {
  absl::StatusOr<Queue<int64_t>> queue = Queue<int64_t>::Attach(name);
  if (!queue.ok()) return 2;
  absl::StatusOr<int> sentinel = queue->sentinel();
  if (!sentinel.ok()) return 3;
  absl::StatusOr<std::vector<int>> ready = Wait({*sentinel}, kGenerous);
  if (!ready.ok() || ready->size() != 1) return 4;
  absl::StatusOr<int64_t> value = queue->Get(absl::ZeroDuration());
  return value.ok() && *value == expected ? 0 : 5;
}
MP_REGISTER_TASK(WaitOnASentinelThenGet);

class QueueSentinelStartMethodTest : public test::IpcLeakCheckedTest,
                                     public ::testing::WithParamInterface<StartMethod> {};

INSTANTIATE_TEST_SUITE_P(EveryStartMethod, QueueSentinelStartMethodTest,
                         ::testing::Values(StartMethod::kFork, StartMethod::kSpawn,
                                           StartMethod::kForkServer));

// Passes when a child started any way gets a sentinel of its own that works, even a
// forked child whose parent had one already (the child has its copy of the descriptor,
// not the thread that kept it).
TEST_P(QueueSentinelStartMethodTest, AChildWaitsOnItsOwnSentinel) {
  MP_SKIP_UNDER_TSAN_IF_FORKED(GetParam() == StartMethod::kFork);
  absl::StatusOr<Queue<int64_t>> queue = Queue<int64_t>::Create();
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(queue->sentinel(), IsOk());  // the parent's, started before the fork
  Process consumer({.start_method = GetParam()}, WaitOnASentinelThenGet, queue->name(),
                   int64_t{99});
  ASSERT_THAT(consumer.Start(), IsOk());
  ASSERT_THAT(queue->Put(99), IsOk());
  ASSERT_THAT(consumer.Join(kGenerous), IsOk());
  EXPECT_EQ(consumer.exit_code(), 0);
}

// Passes when a forked child that inherited its parent's handle, sentinel and all, gets
// a sentinel of its own from it, kept by a thread in the child.
TEST_F(QueueTest, AForkedChildGetsItsOwnSentinelFromAnInheritedHandle) {
  MP_SKIP_UNDER_TSAN_IF_FORKED(true);
  absl::StatusOr<Queue<int64_t>> queue = Queue<int64_t>::Create();
  ASSERT_THAT(queue, IsOk());
  absl::StatusOr<int> parents = queue->sentinel();
  ASSERT_THAT(parents, IsOk());
  Process child([&] {
    absl::StatusOr<int> own = queue->sentinel();
    if (!own.ok() || *own == *parents) return 1;
    absl::StatusOr<std::vector<int>> ready = Wait({*own}, kGenerous);
    return ready.ok() && ready->size() == 1 && queue->Get(absl::ZeroDuration()).ok() ? 0 : 2;
  });
  ASSERT_THAT(child.Start(), IsOk());
  ASSERT_THAT(queue->Put(1), IsOk());
  ASSERT_THAT(child.Join(kGenerous), IsOk());
  EXPECT_EQ(child.exit_code(), 0);
}

}  // namespace
}  // namespace mp
