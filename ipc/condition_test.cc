#include "ipc/condition.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "ipc/lock.h"
#include "ipc/shared_memory.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;

constexpr absl::Duration kGenerous = absl::Seconds(60);

class ConditionTest : public test::IpcLeakCheckedTest {};

// Guarded by the condition's lock.
struct Mailbox {
  int waiting = 0;
  int64_t value = 0;
};

// Passes when a process waiting for a value wakes when another process provides it.
TEST_F(ConditionTest, AWaiterWakesWhenAnotherProcessNotifies) {
  absl::StatusOr<Condition> changed = Condition::Create();
  absl::StatusOr<SharedMemory> memory = SharedMemory::Create(sizeof(Mailbox));
  ASSERT_THAT(changed, IsOk());
  ASSERT_THAT(memory, IsOk());
  auto* mailbox = new (memory->data()) Mailbox{};

  Process waiter([&] {
    absl::StatusOr<LockGuard> held = changed->Acquire(kGenerous);
    if (!held.ok()) return 1;
    if (!changed->WaitFor(*held, [&] { return mailbox->value != 0; }, kGenerous).ok()) return 2;
    return mailbox->value == 42 ? 0 : 3;
  });
  ASSERT_THAT(waiter.Start(), IsOk());
  {
    absl::StatusOr<LockGuard> held = changed->Acquire(kGenerous);
    ASSERT_THAT(held, IsOk());
    mailbox->value = 42;
  }
  changed->NotifyAll();
  ASSERT_THAT(waiter.Join(kGenerous), IsOk());
  EXPECT_EQ(waiter.exit_code(), 0);
}

// Passes when a waiter SIGKILLed in the middle of Wait() does not keep the next waiter
// from being notified.
TEST_F(ConditionTest, AWaiterKilledMidWaitDoesNotDisturbTheNext) {
  absl::StatusOr<Condition> changed = Condition::Create();
  absl::StatusOr<SharedMemory> memory = SharedMemory::Create(sizeof(Mailbox));
  ASSERT_THAT(changed, IsOk());
  ASSERT_THAT(memory, IsOk());
  auto* mailbox = new (memory->data()) Mailbox{};
  // Registers as waiting, then waits for a value; the registration is made under the
  // lock, which Wait() gives up only once the waiter is asleep on the condition.
  auto wait_for_value = [&] {
    absl::StatusOr<LockGuard> held = changed->Acquire(kGenerous);
    if (!held.ok()) return 1;
    ++mailbox->waiting;
    changed->NotifyAll();
    return changed->WaitFor(*held, [&] { return mailbox->value != 0; }, kGenerous).ok() ? 0 : 2;
  };
  auto wait_until_waiting = [&](int count) {
    absl::StatusOr<LockGuard> held = changed->Acquire(kGenerous);
    ASSERT_THAT(held, IsOk());
    ASSERT_THAT(changed->WaitFor(*held, [&] { return mailbox->waiting == count; }, kGenerous),
                IsOk());
  };

  Process doomed(wait_for_value);
  ASSERT_THAT(doomed.Start(), IsOk());
  wait_until_waiting(1);
  ASSERT_THAT(doomed.Kill(), IsOk());
  ASSERT_THAT(doomed.Join(kGenerous), IsOk());

  Process survivor(wait_for_value);
  ASSERT_THAT(survivor.Start(), IsOk());
  wait_until_waiting(2);
  {
    absl::StatusOr<LockGuard> held = changed->Acquire(kGenerous);
    ASSERT_THAT(held, IsOk());
    EXPECT_FALSE(held->previous_owner_died());  // the doomed one died asleep, not holding
    mailbox->value = 7;
  }
  changed->NotifyAll();
  ASSERT_THAT(survivor.Join(kGenerous), IsOk());
  EXPECT_EQ(survivor.exit_code(), 0);
}

// Passes when a Wait() that times out returns DeadlineExceeded still holding the lock
// (this thread acquiring it again is refused, as for any held Lock).
TEST_F(ConditionTest, ATimedOutWaitHoldsTheLockAgain) {
  absl::StatusOr<Condition> condition = Condition::Create();
  ASSERT_THAT(condition, IsOk());
  absl::StatusOr<LockGuard> held = condition->Acquire();
  ASSERT_THAT(held, IsOk());
  EXPECT_THAT(condition->Wait(*held, absl::Milliseconds(1)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(condition->Acquire(absl::ZeroDuration()),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(condition->WaitFor(*held, [] { return false; }, absl::Milliseconds(1)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(ConditionTest, WaitingWithAnotherLocksGuardIsFailedPrecondition) {
  absl::StatusOr<Condition> condition = Condition::Create();
  absl::StatusOr<Lock> lock = Lock::Create();
  ASSERT_THAT(condition, IsOk());
  ASSERT_THAT(lock, IsOk());
  absl::StatusOr<LockGuard> other = lock->Acquire();
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(condition->Wait(*other), StatusIs(absl::StatusCode::kFailedPrecondition));
  absl::StatusOr<LockGuard> released = condition->Acquire();
  ASSERT_THAT(released, IsOk());
  ASSERT_THAT(released->Release(), IsOk());
  EXPECT_THAT(condition->Wait(*released), StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace mp
