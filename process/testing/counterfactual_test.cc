#include "process/testing/counterfactual.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mp::test {
namespace {

using ::testing::HasSubstr;

// Passes unless the bug "the_bug" is put back: what a claim's test looks like.
TEST(CounterfactualTest, FailsOnlyWithTheBug) { EXPECT_FALSE(internal::BugPutBack("the_bug")); }

TEST(CounterfactualTest, ATestThatFailsWithItsBugIsShown) {
  EXPECT_THAT(FailsWithBugPutBack("CounterfactualTest.FailsOnlyWithTheBug", "other,the_bug"),
              IsOk());
}

// The helper's own counterfactuals: a test that the bug does not touch, and a name that
// matches no test, are reported, not taken for a failure.
TEST(CounterfactualTest, ATestThatPassesWithTheBugIsReported) {
  EXPECT_THAT(FailsWithBugPutBack("CounterfactualTest.FailsOnlyWithTheBug", "the_bugs"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("passed with the_bugs")));
}

// Ends its process when "crash" is put back: not a failed check.
TEST(CounterfactualTest, CrashesWithTheBug) {
  if (internal::BugPutBack("crash")) std::abort();
}

TEST(CounterfactualTest, ACrashIsReportedNotTakenForAFailedCheck) {
  EXPECT_THAT(FailsWithBugPutBack("CounterfactualTest.CrashesWithTheBug", "crash"),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("before any of its checks failed")));
}

TEST(CounterfactualTest, ATestThatDoesNotExistIsReported) {
  EXPECT_THAT(FailsWithBugPutBack("CounterfactualTest.NoSuchTest", "the_bug"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("did not run")));
}

TEST(CounterfactualTest, NoBugIsPutBackOutsideACounterfactual) {
  EXPECT_FALSE(internal::AnyBugPutBack());
  EXPECT_EQ(internal::BoundOnWaits(absl::Seconds(30)), absl::Seconds(30));
}

}  // namespace
}  // namespace mp::test
