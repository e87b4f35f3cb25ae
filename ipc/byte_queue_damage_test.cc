// A process that maps a queue can write over its shared state: a task with a wild
// pointer in a pool worker maps the pool's results queue. Such damage must give DataLoss
// to the others, never a read or write outside the ring (a crash of the pool's owner).
// Here a second mapping of the segment, as another process would have, does the damage;
// run under --config=asan in .ci/run, any access outside the ring is a report.
//
// Deterministic: a fixed seed (MP_FUZZ_SEED changes it); MP_FUZZ_SECONDS (default 2)
// bounds the fuzzing test's time.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/byte_queue.h"
#include "ipc/testing/fuzz_budget.h"
#include "ipc/testing/ipc_leak_check.h"
#include "ipc/testing/queue_damage.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;

class ByteQueueDamageTest : public test::IpcLeakCheckedTest {};

TEST_F(ByteQueueDamageTest, DamagedPositionsGiveDataLoss) {
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 256});
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(queue->Put("hello"), IsOk());
  absl::StatusOr<test::QueueDamage> damage = test::QueueDamage::Of(queue->name());
  ASSERT_THAT(damage, IsOk());
  damage->CountUp();
  EXPECT_THAT(queue->Get(absl::Milliseconds(1)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("is damaged")));
  EXPECT_THAT(queue->Put("more", absl::Milliseconds(1)), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(ByteQueueDamageTest, ADamagedMessageLengthGivesDataLoss) {
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 256});
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(queue->Put("hello"), IsOk());
  absl::StatusOr<test::QueueDamage> damage = test::QueueDamage::Of(queue->name());
  ASSERT_THAT(damage, IsOk());
  const uint64_t huge = uint64_t{1} << 40;
  std::memcpy(damage->ring(), &huge, sizeof huge);  // the first message's length
  EXPECT_THAT(queue->Get(absl::Milliseconds(1)), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(ByteQueueDamageTest, ADamagedCapacityIsNeverBelievedAfterAttach) {
  absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 256});
  ASSERT_THAT(queue, IsOk());
  ASSERT_THAT(queue->Put("hello"), IsOk());
  absl::StatusOr<test::QueueDamage> damage = test::QueueDamage::Of(queue->name());
  ASSERT_THAT(damage, IsOk());
  damage->SetCapacity(uint64_t{1} << 40);
  // This handle kept the size it was made with: the queue works on.
  EXPECT_EQ(queue->capacity_bytes(), 256u);
  EXPECT_THAT(queue->Get(absl::Milliseconds(1)), IsOkAndHolds("hello"));
  EXPECT_THAT(queue->Put(std::string(200, 'x'), absl::Milliseconds(1)), IsOk());
  EXPECT_THAT(queue->Get(absl::Milliseconds(1)), IsOkAndHolds(std::string(200, 'x')));
  // One attaching now finds a size larger than the segment: refused.
  EXPECT_THAT(ByteQueue::Attach(queue->name()), StatusIs(absl::StatusCode::kDataLoss));
}

// Random damage between random operations: every outcome is a value or a status, and
// DataLoss is seen (so the damage reached the checks).
TEST_F(ByteQueueDamageTest, RandomDamageNeverCrashesAReader) {
  std::mt19937_64 random(test::FuzzSeed(20261206));
  const absl::Time stop = absl::Now() + test::FuzzTime();
  int64_t data_losses = 0, rounds = 0;
  while (absl::Now() < stop && !HasFailure()) {
    ++rounds;
    absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 128});
    ASSERT_THAT(queue, IsOk());
    absl::StatusOr<test::QueueDamage> damage = test::QueueDamage::Of(queue->name());
    ASSERT_THAT(damage, IsOk());
    for (int step = 0; step < 16; ++step) {
      switch (random() % 4) {
        case 0: {  // a random word of the counters
          const size_t words = damage->counter_bytes() / 8;
          damage->SetCounterWord(8 * (random() % words), random() % 2 ? random() : random() % 512);
          break;
        }
        case 1:  // a random byte of the ring
          damage->ring()[random() % queue->capacity_bytes()] = static_cast<char>(random());
          break;
        default:
          break;  // no damage this step
      }
      absl::Status status = random() % 2
                                ? queue->Put(std::string(random() % 100, 'x'), absl::ZeroDuration())
                                : queue->Get(absl::ZeroDuration()).status();
      if (status.code() == absl::StatusCode::kDataLoss) ++data_losses;
      EXPECT_THAT(status.code(), ::testing::AnyOf(absl::StatusCode::kOk, absl::StatusCode::kDataLoss,
                                                  absl::StatusCode::kDeadlineExceeded))
          << status;
      (void)queue->size();
    }
  }
  RecordProperty("rounds", std::to_string(rounds));
  EXPECT_GT(data_losses, 0) << "no damage was ever detected: the test does not reach the checks";
}

}  // namespace
}  // namespace mp
