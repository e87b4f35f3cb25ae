// The grader for exercise Q1 (run as `pool_map_test <program> <pass|fail>`; see
// exercises/grading/grading.h).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/pool_record.h"
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

// Pass criterion: the pool's own record (pool/README.md) shows an mp::Pool of 4 worker
// processes, whose workers ran the five doublings. A program that prints the list
// without the pool computing it, or computes it on a ThreadPool, fails.
TEST(PoolMapGrade, TheDoublingRanInFourWorkerProcesses) {
  mp::grading::PoolRecording recording;
  absl::StatusOr<mp::grading::ProgramRun> run =
      mp::grading::RunWithPipes(mp::grading::Program(), {}, absl::Seconds(60));
  if (!run.ok()) {
    mp::grading::Report({absl::StrCat("The program did not finish: ", run.status().ToString())});
    return;
  }
  const mp::grading::PoolLife life = recording.Life();
  std::vector<std::string> problems =
      mp::grading::ProblemsWithThePool(life, 4, "", "HINTS.md, hints 1-2");
  if (problems.empty() && life.tasks_run_by_workers != 5) {
    problems.push_back(absl::StrCat("Your pool's workers ran ", life.tasks_run_by_workers,
                                    " tasks; doubling [1, 2, 3, 4, 5] is 5 tasks, one per "
                                    "number: one Map over the list (HINTS.md, hint 2)."));
  }
  mp::grading::Report(problems);
}

}  // namespace
