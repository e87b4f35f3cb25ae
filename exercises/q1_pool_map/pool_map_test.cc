// The grader for exercise Q1 (run as `pool_map_test <program> <pass|fail>`; see
// exercises/grading/grading.h).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"

namespace {

// Pass criterion: the program prints exactly "[2, 4, 6, 8, 10]" and exits 0.
TEST(PoolMapGrade, PrintsTheDoubledListAndExitsZero) {
  std::vector<std::string> problems;
  absl::StatusOr<mp::grading::ProgramRun> run =
      mp::grading::RunWithPipes(mp::grading::Program(), {}, absl::Seconds(60));
  if (!run.ok()) {
    problems.push_back(absl::StrCat("The program did not finish: ", run.status().ToString()));
  } else {
    if (run->exit_code != 0) {
      problems.push_back(absl::StrCat("The program should exit with 0, not ", run->exit_code,
                                      ". Its stderr: ", run->stderr_text));
    }
    if (run->stdout_text != "[2, 4, 6, 8, 10]\n") {
      problems.push_back(absl::StrCat(
          mp::grading::ExpectedButSaw("exactly \"[2, 4, 6, 8, 10]\"", run->stdout_text),
          run->stdout_text == "[]\n"
              ? "\nNothing was mapped yet: create the pool and call Map (HINTS.md, hint 1)."
              : "\nCheck Double, and that you print Map's results in order (HINTS.md, hint 2)."));
    }
  }
  mp::grading::Report(problems);
}

}  // namespace
