// The grader for exercise X6 (run as `processes_vs_threads_test <program> <pass|fail>`;
// see exercises/grading/grading.h). Times are printed for the learner, not graded.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/pool_record.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"

namespace {

// Pass criterion: with 2 workers, threads report 78498 primes by 1 process, and
// processes the same count by 2 processes (64 ranges, so both workers get some); the
// pools' own record shows an mp::Pool of 2 worker processes that ran the ranges.
TEST(ProcessesVsThreadsGrade, BothPoolsCountTheSameAndOnlyThePoolUsesProcesses) {
  std::vector<std::string> problems;
  mp::grading::PoolRecording recording;
  absl::StatusOr<mp::grading::ProgramRun> run = mp::grading::RunWithPipes(
      mp::grading::Program(), {"--workers=2", "--limit=1000000"}, absl::Seconds(120));
  if (!run.ok()) {
    problems.push_back(absl::StrCat("The program did not finish: ", run.status().ToString()));
  } else {
    const std::vector<std::string> lines = mp::grading::Lines(run->stdout_text);
    const std::string threads = "threads: 78498 primes by 1 process in ";
    const std::string processes = "processes: 78498 primes by 2 processes in ";
    if (run->exit_code != 0 || lines.size() != 2 || !absl::StartsWith(lines[0], threads)) {
      problems.push_back(absl::StrCat(
          mp::grading::ExpectedButSaw(absl::StrCat("\"", threads, "<t> s\" then a processes line"),
                                      run->stdout_text),
          run->stderr_text.empty() ? "" : absl::StrCat(" Its stderr: ", run->stderr_text)));
    } else if (!absl::StartsWith(lines[1], processes)) {
      problems.push_back(absl::StrCat(
          "The second line should start \"", processes, "\", not \"", lines[1], "\": run the "
          "same Map on an mp::Pool of 2 workers and Report() it (HINTS.md, hint 1)."));
    }
    // The pools' own record: whatever was printed, an mp::Pool of 2 processes did work.
    for (std::string& problem : mp::grading::ProblemsWithThePool(
             recording.Life(), 2, " for the processes line", "HINTS.md, hint 1")) {
      problems.push_back(std::move(problem));
    }
  }
  mp::grading::Report(problems);
}

}  // namespace
