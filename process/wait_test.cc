// mp::Wait() over Process sentinels and other descriptors, for every start method.

#include "process/wait.h"

#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/process.h"
#include "process/task_registry.h"
#include "process/testing/leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

int ExitWithCode(int code) { return code; }
MP_REGISTER_TASK(ExitWithCode);

void PauseUntilKilled() {
  while (true) pause();
}
MP_REGISTER_TASK(PauseUntilKilled);

class WaitTest : public test::LeakCheckedTest, public ::testing::WithParamInterface<StartMethod> {};
INSTANTIATE_TEST_SUITE_P(AllStartMethods, WaitTest,
                         ::testing::Values(StartMethod::kFork, StartMethod::kSpawn,
                                           StartMethod::kForkServer),
                         [](const ::testing::TestParamInfo<StartMethod>& info) {
                           return std::string(StartMethodName(info.param));
                         });

// Passes when Wait() over three sentinels returns exactly the one child that ended (the
// other two never end on their own), then the one killed, and a sentinel stays ready
// after Join() (Python's connection.wait() over Process.sentinel).
TEST_P(WaitTest, WaitReturnsTheProcessesThatHaveEnded) {
  Process first({.start_method = GetParam()}, PauseUntilKilled);
  Process second({.start_method = GetParam()}, PauseUntilKilled);
  Process quick({.start_method = GetParam()}, ExitWithCode, 3);
  EXPECT_THAT(first.sentinel(), StatusIs(absl::StatusCode::kFailedPrecondition));
  for (Process* process : {&first, &second, &quick}) ASSERT_THAT(process->Start(), IsOk());
  const int a = *first.sentinel();
  const int b = *second.sentinel();
  const int c = *quick.sentinel();

  EXPECT_THAT(Wait({a, b, c}), IsOkAndHolds(ElementsAre(c)));
  EXPECT_THAT(Wait({a, b}, absl::ZeroDuration()), IsOkAndHolds(IsEmpty())) << "both still run";
  ASSERT_THAT(first.Kill(), IsOk());
  EXPECT_THAT(Wait({a, b}), IsOkAndHolds(ElementsAre(a)));
  ASSERT_THAT(first.Join(), IsOk());
  ASSERT_THAT(quick.Join(), IsOk());
  EXPECT_EQ(quick.exit_code(), 3);
  EXPECT_THAT(Wait({a, c}, absl::ZeroDuration()), IsOkAndHolds(ElementsAre(a, c)))
      << "a sentinel stays ready once the child has ended, joined or not";
  ASSERT_THAT(second.Kill(), IsOk());
  ASSERT_THAT(second.Join(), IsOk());
}

// Passes when Wait() returns nothing once its timeout passes while nothing is ready, and
// refuses what cannot be waited for.
TEST(WaitArgumentsTest, ATimeoutReturnsNothingAndBadArgumentsAreRefused) {
  int ends[2];
  ASSERT_EQ(pipe(ends), 0);
  EXPECT_THAT(Wait({ends[0]}, absl::Milliseconds(1)), IsOkAndHolds(IsEmpty()));
  ASSERT_EQ(write(ends[1], "x", 1), 1);
  EXPECT_THAT(Wait({ends[0]}), IsOkAndHolds(ElementsAre(ends[0])));
  EXPECT_THAT(Wait({}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Wait({-1}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Wait({ends[0]}, absl::Seconds(-1)), StatusIs(absl::StatusCode::kInvalidArgument));
  close(ends[0]);
  close(ends[1]);
  EXPECT_THAT(Wait({ends[0]}, absl::ZeroDuration()), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mp
