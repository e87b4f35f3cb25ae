// Test support: show that a test fails with a known bug put back (base/put_bug_back.h).
//
//   // Claim 2's counterfactual: with the exit code lost, claim 2's test fails.
//   TEST_F(CreateAProcessTest, LosingTheExitCodeFailsClaim2) {
//     EXPECT_THAT(test::FailsWithBugPutBack(
//                     "CreateAProcessTest.JoinGivesTheTargetsReturnValueAsTheExitCode",
//                     "exit_code_lost"),
//                 IsOk());
//   }
//
// The test runs again in a child: this very test binary, filtered to that one test, with
// MP_TESTING_PUT_BUG_BACK set, and without Bazel's variables for sharding and output
// files, so that the child neither skips the test nor overwrites our report. It runs in a
// process group of its own, killed when it ends: a bug may leave processes behind.

#ifndef MP_PROCESS_TESTING_COUNTERFACTUAL_H_
#define MP_PROCESS_TESTING_COUNTERFACTUAL_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mp::test {

// OK if the test `test_name` ("Suite.Name", or "Suite/Param.Name/0" for a parameterized
// one) of the running binary ran with `bug` put back and one of its checks failed.
// Otherwise an error that says what happened instead (it passed, did not run, crashed
// before a check failed, or still ran after `bound`, when it is killed) and carries the
// child's output.
absl::Status FailsWithBugPutBack(absl::string_view test_name, absl::string_view bug,
                                 absl::Duration bound = absl::Minutes(2));

}  // namespace mp::test

#endif  // MP_PROCESS_TESTING_COUNTERFACTUAL_H_
