#include "ipc/event.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;

constexpr absl::Duration kGenerous = absl::Seconds(60);

class EventTest : public test::IpcLeakCheckedTest {};

// Passes when processes waiting for the event all proceed once another sets it, and see
// what was written before Set().
TEST_F(EventTest, SetReleasesEveryWaitingProcess) {
  absl::StatusOr<Event> go = Event::Create();
  absl::StatusOr<Event> answered = Event::Create();
  ASSERT_THAT(go, IsOk());
  ASSERT_THAT(answered, IsOk());
  EXPECT_FALSE(go->IsSet());
  std::vector<Process> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&] { return go->Wait(kGenerous).ok() ? 0 : 1; });
    ASSERT_THAT(waiters.back().Start(), IsOk());
  }
  go->Set();
  for (Process& waiter : waiters) {
    ASSERT_THAT(waiter.Join(kGenerous), IsOk());
    EXPECT_EQ(waiter.exit_code(), 0);
  }
  EXPECT_TRUE(go->IsSet());
  EXPECT_THAT(go->Wait(absl::ZeroDuration()), IsOk());  // stays set
}

TEST_F(EventTest, WaitTimesOutUntilSetAndAgainAfterClear) {
  absl::StatusOr<Event> event = Event::Create();
  ASSERT_THAT(event, IsOk());
  EXPECT_THAT(event->Wait(absl::Milliseconds(1)), StatusIs(absl::StatusCode::kDeadlineExceeded));
  event->Set();
  EXPECT_THAT(event->Wait(absl::Milliseconds(1)), IsOk());
  event->Clear();
  EXPECT_FALSE(event->IsSet());
  EXPECT_THAT(event->Wait(absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(event->Wait(absl::Seconds(-1)), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Passes when a waiter killed mid-wait leaves the event working for the others.
TEST_F(EventTest, AWaiterKilledMidWaitDoesNotDisturbTheOthers) {
  absl::StatusOr<Event> event = Event::Create();
  ASSERT_THAT(event, IsOk());
  Process doomed([&] { return event->Wait().ok() ? 0 : 1; });
  ASSERT_THAT(doomed.Start(), IsOk());
  ASSERT_THAT(doomed.Kill(), IsOk());
  ASSERT_THAT(doomed.Join(kGenerous), IsOk());

  Process survivor([&] { return event->Wait(kGenerous).ok() ? 0 : 1; });
  ASSERT_THAT(survivor.Start(), IsOk());
  event->Set();
  ASSERT_THAT(survivor.Join(kGenerous), IsOk());
  EXPECT_EQ(survivor.exit_code(), 0);
}

}  // namespace
}  // namespace mp
