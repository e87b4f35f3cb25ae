#include "ipc/semaphore.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"
#include "process/testing/status_matchers.h"

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

TEST_F(SemaphoreTest, BadValuesAndTimeoutsAreInvalidArgument) {
  EXPECT_THAT(Semaphore::Create(-1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Semaphore::Create(int64_t{1} << 40), StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<Semaphore> semaphore = Semaphore::Create(1);
  ASSERT_THAT(semaphore, IsOk());
  EXPECT_THAT(semaphore->Acquire(absl::Seconds(-1)), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mp
