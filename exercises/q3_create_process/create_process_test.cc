// The grader for exercise Q3 (run as `create_process_test <program> <pass|fail>`; see
// exercises/grading/grading.h).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"

namespace {

// Every way the program's run differs from the goal, as advice for the learner.
std::vector<std::string> GradeRun() {
  absl::StatusOr<mp::grading::ProgramRun> run =
      mp::grading::RunWithPipes(mp::grading::Program(), {}, absl::Seconds(30));
  if (!run.ok()) return {absl::StrCat("The program did not finish: ", run.status().ToString())};
  std::vector<std::string> problems;
  if (run->exit_code != 0) {
    problems.push_back(absl::StrCat("The program should exit with 0, not ", run->exit_code, "."));
  }
  const std::string expected = "This is a process!\nThe process has completed.\n";
  if (run->stdout_text != expected) {
    problems.push_back(absl::StrCat(
        mp::grading::ExpectedButSaw("the child's line, then the parent's", run->stdout_text),
        run->stdout_text.find("This is a process!") == std::string::npos
            ? "\nThe child process should print \"This is a process!\" (HINTS.md, hints 1-2)."
            : "\nThe parent must wait for the child before printing its line (HINTS.md, hint 3)."));
  }
  return problems;
}

// Pass criterion: the program prints the child's line, then the parent's, and exits 0.
TEST(CreateProcessGrade, PrintsTheChildsLineThenTheParentsAndExitsZero) {
  mp::grading::Report(GradeRun());
}

}  // namespace
