// main() for exercise graders: `grader <program> <pass|fail>` (see grading.h).

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
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

// --expect_message=M (a known wrong answer): the text one of the problems must contain.
std::string ExpectedMessage(int argc, char** argv) {
  constexpr absl::string_view kFlag = "--expect_message=";
  return argc == 4 && absl::StartsWith(argv[3], kFlag) ? std::string(argv[3] + kFlag.size()) : "";
}

bool SomeProblemSays(const std::string& message) {
  for (const std::string& problem : mp::grading::ProblemsReported()) {
    if (absl::StrContains(problem, message)) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  testing::AddGlobalTestEnvironment(new NoChildLeftBehind);  // gtest owns it
  const std::string expected = argc >= 3 ? argv[2] : "";
  const std::string message = ExpectedMessage(argc, argv);
  if ((expected != "pass" && expected != "fail" && expected != "fail_when_timed") || argc > 4 ||
      (argc == 4 && message.empty())) {
    std::fprintf(stderr,
                 "usage: %s <program> <pass|fail|fail_when_timed> [--expect_message=TEXT]\n",
                 argv[0]);
    return 2;
  }
  const bool expect_pass = expected == "pass";
  mp::grading::SetProgram(mp::test::Runfile(argv[1]), expect_pass);
  const int tests_failed = RUN_ALL_TESTS();
  if (expect_pass) return tests_failed;
  // The untouched starter (or a known wrong answer): it must fail somewhere, or the
  // grader is vacuous and the exercise teaches nothing.
  const size_t problems = mp::grading::ProblemsReported().size();
  if (problems == 0 && expected == "fail_when_timed" && !mp::grading::SpeedNotJudged().empty()) {
    // A wrong answer only its speed gives away, where speed could not be judged.
    std::fprintf(stderr, "SKIP: %s is wrong only in its speed, which this run could not judge: %s\n",
                 argv[1], mp::grading::SpeedNotJudged().c_str());
    return 0;
  }
  if (problems == 0) {
    std::fprintf(stderr, "FAIL: %s passes the grader, but it must fail it\n", argv[1]);
    return 1;
  }
  if (!message.empty() && !SomeProblemSays(message)) {
    std::fprintf(stderr,
                 "FAIL: %s fails grading, but no problem found says \"%s\": the learner "
                 "would not be told what this mistake is\n",
                 argv[1], message.c_str());
    return 1;
  }
  std::fprintf(stderr, "PASS: %s fails grading (%zu problems), as it should\n", argv[1], problems);
  return 0;
}
