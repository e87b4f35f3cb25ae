// The grader for exercise Q3.
//
// Usage (set by BUILD.bazel): create_process_test <program> <pass|fail>
// It grades <program> and expects the grade to be <pass> (the learner's version and the
// reference solution) or <fail> (the untouched starter: a starter that already passes
// would teach nothing).

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "process/testing/spawned_program.h"

namespace {

std::string program_under_test;
bool expect_pass = true;

// Every way the program's run differs from the goal, as advice for the learner.
std::vector<std::string> GradeRun() {
  std::vector<std::string> problems;
  absl::StatusOr<mp::test::ProgramOutput> run =
      mp::test::RunProgram(mp::test::Runfile(program_under_test), {}, absl::Seconds(30));
  if (!run.ok()) return {absl::StrCat("the program did not finish: ", run.status().ToString())};
  if (run->exit_code != 0) {
    problems.push_back(absl::StrCat("the program should exit with 0, not ", run->exit_code));
  }
  const std::string expected = "This is a process!\nThe process has completed.\n";
  if (run->stdout_text != expected) {
    problems.push_back(absl::StrCat(
        "expected exactly\n", expected, "but the program printed\n", run->stdout_text,
        run->stdout_text.find("This is a process!") == std::string::npos
            ? "Hint: the child process should print \"This is a process!\" (see HINTS.md).\n"
            : "Hint: the parent must wait for the child before printing its line.\n"));
  }
  return problems;
}

// Pass criterion: the program prints the child's line, then the parent's, and exits 0.
TEST(CreateProcessGrade, PrintsTheChildsLineThenTheParentsAndExitsZero) {
  const std::vector<std::string> problems = GradeRun();
  if (expect_pass) {
    for (const std::string& problem : problems) ADD_FAILURE() << problem;
  } else {
    EXPECT_FALSE(problems.empty()) << "the starter already passes: it must leave work to do";
  }
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1) << "a child process was left behind";
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 3 || (std::string(argv[2]) != "pass" && std::string(argv[2]) != "fail")) {
    std::fprintf(stderr, "usage: %s <program> <pass|fail>\n", argv[0]);
    return 2;
  }
  program_under_test = argv[1];
  expect_pass = std::string(argv[2]) == "pass";
  return RUN_ALL_TESTS();
}
