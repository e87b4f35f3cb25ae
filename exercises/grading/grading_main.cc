// main() for exercise graders: `grader <program> <pass|fail>` (see grading.h).

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "exercises/grading/grading.h"
#include "gtest/gtest.h"
#include "process/testing/spawned_program.h"

namespace {

// Whatever a grader ran, and whatever children that program left to us, must be gone by
// the end: a test of process code that leaves a child or a zombie fails.
class NoChildLeftBehind : public testing::Environment {
 public:
  void TearDown() override {
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1) << "a child process was left behind";
  }
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  testing::AddGlobalTestEnvironment(new NoChildLeftBehind);  // gtest owns it
  const std::string expected = argc == 3 ? argv[2] : "";
  if (expected != "pass" && expected != "fail" && expected != "fail_when_timed") {
    std::fprintf(stderr, "usage: %s <program> <pass|fail|fail_when_timed>\n", argv[0]);
    return 2;
  }
  const bool expect_pass = expected == "pass";
  mp::grading::SetProgram(mp::test::Runfile(argv[1]), expect_pass);
  const int tests_failed = RUN_ALL_TESTS();
  if (expect_pass) return tests_failed;
  // The untouched starter (or a known wrong answer): it must fail somewhere, or the
  // grader is vacuous and the exercise teaches nothing.
  if (mp::grading::ProblemsReported() == 0 && expected == "fail_when_timed" &&
      !mp::grading::SpeedNotJudged().empty()) {
    // A wrong answer only its speed gives away, where speed could not be judged.
    std::fprintf(stderr, "SKIP: %s is wrong only in its speed, which this run could not judge: %s\n",
                 argv[1], mp::grading::SpeedNotJudged().c_str());
    return 0;
  }
  if (mp::grading::ProblemsReported() == 0) {
    std::fprintf(stderr, "FAIL: %s passes the grader, but it must fail it\n", argv[1]);
    return 1;
  }
  std::fprintf(stderr, "PASS: %s fails grading (%d problems), as it should\n", argv[1],
               mp::grading::ProblemsReported());
  return 0;
}
