// The grader for exercise X5 (run as `survive_a_crash_test <program> <pass|fail>`; see
// exercises/grading/grading.h).

#include <signal.h>

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

std::vector<std::string> Grade(int tasks, int crash_task) {
  const std::string where = absl::StrCat(" (--tasks=", tasks, " --crash_task=", crash_task, ")");
  mp::grading::PoolRecording recording;
  absl::StatusOr<mp::grading::ProgramRun> run = mp::grading::RunWithPipes(
      mp::grading::Program(),
      {absl::StrCat("--tasks=", tasks), absl::StrCat("--crash_task=", crash_task)},
      absl::Seconds(60));
  if (!run.ok()) return {absl::StrCat("The program did not finish", where, ": ", run.status().ToString())};
  std::vector<std::string> problems;
  if (run->exit_code == -SIGKILL) {
    problems.push_back(absl::StrCat(
        "Your program itself was killed by SIGKILL", where, ": the crashing task ran in your "
        "own process (on a ThreadPool, or called directly), so it took the program down. "
        "Run the tasks on an mp::Pool, whose workers are processes (HINTS.md, hint 2)."));
    return problems;
  }
  if (run->exit_code != 0) {
    problems.push_back(absl::StrCat(
        "The program should survive the crash and exit 0", where, "; it exited with ",
        run->exit_code, ".", run->stderr_text.empty() ? "" : absl::StrCat(" Its stderr: ", run->stderr_text),
        "\nMap returns only the first error: use MapAsync and GetEach (HINTS.md, hints 1-2)."));
  }
  const mp::grading::PoolLife life = recording.Life();
  for (std::string& problem : mp::grading::ProblemsWithThePool(life, 2, where, "HINTS.md, hint 2")) {
    problems.push_back(std::move(problem));
  }
  if (!life.pools.empty() && !life.pools.front().threads &&
      life.pools.front().workers_started <= life.pools.front().workers) {
    problems.push_back(absl::StrCat(
        "No worker of your pool died", where, ", so nothing was survived: task ", crash_task,
        " must kill its worker (Tenfold's kill(getpid(), SIGKILL), as given), and the pool "
        "replaces it (HINTS.md, hint 2)."));
  }
  const std::vector<std::string> lines = mp::grading::Lines(run->stdout_text);
  if (static_cast<int>(lines.size()) != tasks + 1 || lines.back() != "survived") {
    problems.push_back(absl::StrCat(
        mp::grading::ExpectedButSaw(absl::StrCat("one line per task, then \"survived\"", where),
                                    run->stdout_text)));
    return problems;
  }
  for (int i = 1; i <= tasks; ++i) {
    const std::string& line = lines[static_cast<size_t>(i - 1)];
    if (i == crash_task) {
      const std::string prefix = absl::StrCat("task ", i, ": failed: ");
      if (!absl::StartsWith(line, prefix) || line.size() == prefix.size()) {
        problems.push_back(absl::StrCat("Line ", i, where, " should be \"", prefix,
                                        "<why>\", with the task's error message, not \"", line,
                                        "\" (HINTS.md, hint 3)."));
      }
    } else if (line != absl::StrCat("task ", i, ": ", 10 * i)) {
      problems.push_back(absl::StrCat("Line ", i, where, " should be \"task ", i, ": ", 10 * i,
                                      "\", not \"", line, "\". Only the crashed task may fail: "
                                      "one task per chunk (HINTS.md, hint 4)."));
    }
  }
  return problems;
}

// Pass criterion: whichever task kills its worker, that task alone is reported failed,
// every other result is printed, then "survived"; exit 0.
TEST(SurviveACrashGrade, OnlyTheCrashedTaskFailsAndTheMapCompletes) {
  std::vector<std::string> problems = Grade(10, 4);
  // A second case only if the first passed: the same mistake would be told twice.
  if (problems.empty()) problems = Grade(20, 1);
  mp::grading::Report(problems);
}

}  // namespace
