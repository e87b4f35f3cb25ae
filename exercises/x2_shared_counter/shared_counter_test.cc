// The grader for exercise X2 (run as `shared_counter_test <program> <pass|fail>`; see
// exercises/grading/grading.h).
//
// A lost update needs two processes to interleave inside one increment: likely over
// hundreds of thousands of increments on two or more CPUs, never certain. So the grader
// runs the program several times and requires the exact count every time.

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"

namespace {

// Pass criterion: in 3 runs of 4 processes x 100,000 increments and one of 1 x 1,000, the
// final count is exactly processes x increments.
TEST(SharedCounterGrade, NoUpdateIsLost) {
  std::vector<std::string> problems;
  struct Size {
    int processes;
    int increments;
  };
  for (const Size size : {Size{4, 100000}, Size{4, 100000}, Size{4, 100000}, Size{1, 1000}}) {
    const std::string where =
        absl::StrCat(" (--processes=", size.processes, " --increments=", size.increments, ")");
    absl::StatusOr<mp::grading::ProgramRun> run = mp::grading::RunWithPipes(
        mp::grading::Program(),
        {absl::StrCat("--processes=", size.processes),
         absl::StrCat("--increments=", size.increments)},
        absl::Seconds(120));
    if (!run.ok()) {
      problems.push_back(absl::StrCat("The program did not finish", where, ": ", run.status().ToString()));
      continue;
    }
    const std::vector<std::string> lines = mp::grading::Lines(run->stdout_text);
    long long count = -1;
    const long long expected = static_cast<long long>(size.processes) * size.increments;
    if (run->exit_code != 0 || lines.size() < 2 ||
        !absl::SimpleAtoi(absl::StripPrefix(lines[0], "final count: "), &count) ||
        lines[1] != absl::StrCat("expected: ", expected)) {
      problems.push_back(absl::StrCat(
          mp::grading::ExpectedButSaw(absl::StrCat("\"final count: N\", \"expected: ", expected,
                                                   "\" and exit 0", where),
                                      run->stdout_text),
          " Its stderr: ", run->stderr_text));
      continue;
    }
    if (count == 0) {
      problems.push_back(absl::StrCat(
          "The final count is 0", where, ": the children added to their own copies of the "
          "counter, which vanish with them. Share it (HINTS.md, hint 1)."));
    } else if (count != expected) {
      problems.push_back(absl::StrCat(
          "The final count is ", count, ", not ", expected, where, ": ", expected - count,
          " updates were lost. Make each increment one locked step (HINTS.md, hint 2)."));
    }
  }
  mp::grading::Report(problems);
}

// Pass criterion: with --processes=4, the program starts 4 child processes (seen under
// ptrace at each fork(); a thread or a count printed without children starts none) and
// has reaped every one when it exits.
TEST(SharedCounterGrade, EachAdderIsAChildProcessAndAllAreReaped) {
  std::vector<std::string> problems;
  absl::StatusOr<mp::grading::ObservedRun> run = mp::grading::RunObserved(
      mp::grading::Program(), {"--processes=4", "--increments=1000"}, absl::Seconds(60));
  if (!run.ok()) {
    mp::grading::Report({absl::StrCat("The program did not finish (--processes=4 "
                                      "--increments=1000): ", run.status().message())});
    return;
  }
  if (run->forks < 4) {
    problems.push_back(absl::StrCat(
        "With --processes=4 your program started ", run->forks, " child process",
        run->forks == 1 ? "" : "es", "; each of the 4 adders must be a process of its own, "
        "started with mp::Process or fork() (a thread is part of the same process) "
        "(HINTS.md, hint 1)."));
  }
  if (!run->running_at_exit.empty() || !run->unreaped_at_exit.empty()) {
    problems.push_back(absl::StrCat(
        "Your program exited while ", run->running_at_exit.size() + run->unreaped_at_exit.size(),
        " of its children were still running or unreaped: join every child (Join()) before "
        "reading the counter, or the count is read before all the additions are in "
        "(HINTS.md, hint 3)."));
  }
  mp::grading::Report(problems);
}

}  // namespace
