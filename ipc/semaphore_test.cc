#include "ipc/semaphore.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "ipc/barrier.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;

constexpr absl::Duration kGenerous = absl::Seconds(60);

class SemaphoreTest : public test::IpcLeakCheckedTest {};

// Passes when a semaphore of 2 lets two acquirers through, refuses a third, and lets it
// through when another process releases a unit.
TEST_F(SemaphoreTest, CountsUnitsAcrossProcesses) {
  absl::StatusOr<Semaphore> slots = Semaphore::Create(2);
  ASSERT_THAT(slots, IsOk());
  EXPECT_THAT(slots->Acquire(), IsOk());
  EXPECT_THAT(slots->Acquire(), IsOk());
  EXPECT_EQ(slots->value(), 0);
  EXPECT_THAT(slots->Acquire(absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));

  Process releaser([&] { return slots->Release().ok() ? 0 : 1; });
  ASSERT_THAT(releaser.Start(), IsOk());
  EXPECT_THAT(slots->Acquire(kGenerous), IsOk());
  ASSERT_THAT(releaser.Join(kGenerous), IsOk());
  EXPECT_EQ(releaser.exit_code(), 0);
  EXPECT_EQ(slots->value(), 0);
}

// Passes when a process blocked in Acquire() is woken by a Release() from another.
TEST_F(SemaphoreTest, AReleaseWakesAWaitingProcess) {
  absl::StatusOr<Semaphore> signal = Semaphore::Create(0);
  ASSERT_THAT(signal, IsOk());
  Process waiter([&] { return signal->Acquire(kGenerous).ok() ? 0 : 1; });
  ASSERT_THAT(waiter.Start(), IsOk());
  ASSERT_THAT(signal->Release(), IsOk());
  ASSERT_THAT(waiter.Join(kGenerous), IsOk());
  EXPECT_EQ(waiter.exit_code(), 0);
}

// Passes when a BoundedSemaphore refuses a release above its initial value, where a plain
// Semaphore (the counterfactual) grows past it.
TEST_F(SemaphoreTest, ABoundedSemaphoreRefusesAReleaseWithoutAnAcquire) {
  absl::StatusOr<BoundedSemaphore> bounded = BoundedSemaphore::Create(2);
  ASSERT_THAT(bounded, IsOk());
  EXPECT_EQ(bounded->bound(), 2);
  EXPECT_THAT(bounded->Release(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(bounded->value(), 2);
  ASSERT_THAT(bounded->Acquire(), IsOk());
  EXPECT_THAT(bounded->Release(), IsOk());
  EXPECT_EQ(bounded->value(), 2);

  absl::StatusOr<Semaphore> plain = Semaphore::Create(2);
  ASSERT_THAT(plain, IsOk());
  EXPECT_THAT(plain->Release(), IsOk());
  EXPECT_EQ(plain->value(), 3);
}

// Passes when eight processes release at the same moment into a BoundedSemaphore of 4
// whose units are all taken: exactly four releases succeed, and it ends at its bound.
TEST_F(SemaphoreTest, ReleasesAtTheSameMomentCannotPassTheBound) {
  constexpr int kBound = 4;
  constexpr int kReleasers = 8;
  absl::StatusOr<BoundedSemaphore> bounded = BoundedSemaphore::Create(kBound);
  absl::StatusOr<Barrier> start = Barrier::Create(kReleasers);
  ASSERT_THAT(bounded, IsOk());
  ASSERT_THAT(start, IsOk());
  for (int i = 0; i < kBound; ++i) ASSERT_THAT(bounded->Acquire(), IsOk());
  std::vector<Process> releasers;
  for (int i = 0; i < kReleasers; ++i) {
    releasers.emplace_back([&] {
      if (!start->Wait(kGenerous).ok()) return 2;
      return bounded->Release().ok() ? 0 : 1;
    });
    ASSERT_THAT(releasers.back().Start(), IsOk());
  }
  int succeeded = 0;
  for (Process& releaser : releasers) {
    ASSERT_THAT(releaser.Join(kGenerous), IsOk());
    succeeded += releaser.exit_code() == 0 ? 1 : 0;
  }
  EXPECT_EQ(succeeded, kBound);
  EXPECT_EQ(bounded->value(), kBound);
}

// Passes when a plain Semaphore's name cannot be attached as a BoundedSemaphore, and a
// bounded one attached by name keeps its bound.
TEST_F(SemaphoreTest, AttachingKeepsTheBound) {
  absl::StatusOr<Semaphore> plain = Semaphore::Create(1);
  absl::StatusOr<BoundedSemaphore> bounded = BoundedSemaphore::Create(1);
  ASSERT_THAT(plain, IsOk());
  ASSERT_THAT(bounded, IsOk());
  EXPECT_THAT(BoundedSemaphore::Attach(plain->name()), StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<BoundedSemaphore> attached = BoundedSemaphore::Attach(bounded->name());
  ASSERT_THAT(attached, IsOk());
  EXPECT_THAT(attached->Release(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(BoundedSemaphore::Create(0), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SemaphoreTest, BadValuesAndTimeoutsAreInvalidArgument) {
  EXPECT_THAT(Semaphore::Create(-1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Semaphore::Create(int64_t{1} << 40), StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<Semaphore> semaphore = Semaphore::Create(1);
  ASSERT_THAT(semaphore, IsOk());
  EXPECT_THAT(semaphore->Acquire(absl::Seconds(-1)), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mp
