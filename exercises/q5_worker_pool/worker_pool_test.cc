// The grader for exercise Q5 (run as `worker_pool_test <program> <pass|fail>`; see
// exercises/grading/grading.h).

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/pool_record.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"

namespace {

constexpr absl::Duration kTimeout = absl::Seconds(60);
constexpr char kJoinedLine[] = "pool closed and joined";

// Problems with how the program's pool lived and ended, from the pool's own record: a
// pool of `workers` worker processes that ran the tasks, closed, then joined.
std::vector<std::string> CheckPoolLife(const mp::grading::PoolLife& life, int workers,
                                       const std::string& where) {
  std::vector<std::string> problems =
      mp::grading::ProblemsWithThePool(life, workers, where, "HINTS.md, hint 1");
  if (life.pools.empty()) return problems;
  const mp::grading::RecordedPool& pool = life.pools.front();
  if (pool.terminated) {
    problems.push_back(absl::StrCat(
        "Your program called Terminate()", where, ": it throws away work not yet done and "
        "kills the workers. The exercise asks for Close() then Join(), which let the workers "
        "finish (HINTS.md, hint 1)."));
  } else if (!pool.closed && !pool.join_errors.empty()) {
    problems.push_back(absl::StrCat(
        "Join() returned ", pool.join_errors.front(), where, " and your program went on as if "
        "it had worked: Join() needs Close() first. Call Close(), then Join(), and check the "
        "status Join() returns (HINTS.md, hint 1)."));
  } else if (!pool.closed) {
    problems.push_back(absl::StrCat(
        "Your pool was never closed", where, ": call Close() and then Join() before the "
        "program ends (HINTS.md, hints 1-2)."));
  } else if (!pool.joined) {
    problems.push_back(absl::StrCat(
        "Your pool was closed but never joined", where, ": Join() waits until the workers "
        "have finished and exited; call it after Close() and check what it returns "
        "(HINTS.md, hints 1-2)."));
  }
  return problems;
}

// Problems with a successful run of `tasks` tasks on `workers` workers.
std::vector<std::string> CheckHappyRun(int workers, int tasks) {
  const std::string where = absl::StrCat(" (--workers=", workers, " --tasks=", tasks, ")");
  mp::grading::PoolRecording recording;
  absl::StatusOr<mp::grading::AttributedRun> run = mp::grading::RunAttributingOutput(
      mp::grading::Program(),
      {absl::StrCat("--workers=", workers), absl::StrCat("--tasks=", tasks)}, kTimeout);
  if (!run.ok()) return {absl::StrCat("The program did not finish", where, ": ", run.status().ToString())};
  std::string output;
  for (const mp::grading::Write& write : run->writes) output += write.text;
  std::vector<std::string> problems;
  if (run->exit_code != 0) {
    problems.push_back(absl::StrCat("The program should exit with 0", where, ", not ", run->exit_code, "."));
  }
  const std::vector<std::string> lines = mp::grading::Lines(output);
  std::set<long long> worker_pids;
  long long sum = 0;
  for (int number = 1; number <= tasks; ++number) {
    const std::string prefix = absl::StrCat(number, " squared is ", number * number, " (worker ");
    const size_t at = static_cast<size_t>(number - 1);
    long long pid = 0;
    if (at >= lines.size() || !absl::StartsWith(lines[at], prefix) ||
        !absl::SimpleAtoi(absl::StripSuffix(lines[at].substr(prefix.size()), ")"), &pid)) {
      problems.push_back(absl::StrCat(
          "Line ", number, where, " should be \"", prefix, "<pid>)\". ",
          mp::grading::ExpectedButSaw("one line per task, in order", output)));
      break;
    }
    worker_pids.insert(pid);
    sum += static_cast<long long>(number) * number;
  }
  if (worker_pids.count(run->pid) != 0) {
    problems.push_back(absl::StrCat("Some squares were computed by the program itself (pid ",
                                    run->pid, "), not by a worker process", where, "."));
  }
  if (static_cast<int>(worker_pids.size()) > workers) {
    problems.push_back(absl::StrCat(worker_pids.size(), " different workers computed squares",
                                    where, ", more than the pool's ", workers, "."));
  }
  for (std::string& problem : CheckPoolLife(recording.Life(), workers, where)) {
    problems.push_back(std::move(problem));
  }
  const std::string sum_line = absl::StrCat("sum of squares: ", sum);
  if (lines.size() < 2 || lines[lines.size() - 2] != sum_line || lines.back() != kJoinedLine) {
    problems.push_back(absl::StrCat(
        "The last two lines", where, " should be \"", sum_line, "\" and \"", kJoinedLine,
        "\", the second printed only after Close() and a successful Join() (HINTS.md, "
        "hints 1-2). ", mp::grading::ExpectedButSaw("them", output)));
  }
  return problems;
}

// Pass criterion: every square, in order, computed by at most N worker processes other
// than the program itself, then the sum, then "pool closed and joined"; exit 0.
TEST(WorkerPoolGrade, SquaresComeFromTheWorkersAndThePoolIsClosedAndJoined) {
  std::vector<std::string> problems = CheckHappyRun(4, 20);
  // A second size, only if the first passed: the same mistake would be told twice.
  if (problems.empty()) problems = CheckHappyRun(1, 5);
  mp::grading::Report(problems);
}

// Pass criterion: when a task fails, the program says so on stderr, still closes and
// joins the pool (its last line), and exits 1.
TEST(WorkerPoolGrade, ATaskFailureStillClosesAndJoinsThePool) {
  std::vector<std::string> problems;
  mp::grading::PoolRecording recording;
  absl::StatusOr<mp::grading::ProgramRun> run = mp::grading::RunWithPipes(
      mp::grading::Program(), {"--workers=2", "--tasks=10", "--fail_task=3"}, kTimeout);
  if (!run.ok()) {
    problems.push_back(absl::StrCat("The program did not finish: ", run.status().ToString()));
  } else {
    if (run->exit_code != 1 || run->stderr_text.empty()) {
      problems.push_back(absl::StrCat(
          "With --fail_task=3 the program should report the failure on stderr and exit 1; it "
          "exited with ", run->exit_code, "."));
    }
    const std::vector<std::string> lines = mp::grading::Lines(run->stdout_text);
    if (lines.empty() || lines.back() != kJoinedLine) {
      problems.push_back(absl::StrCat(
          "With --fail_task=3 the last line should still be \"", kJoinedLine, "\": the error "
          "path must close and join the pool too (HINTS.md, hint 3). ",
          mp::grading::ExpectedButSaw("it", run->stdout_text)));
    }
    for (std::string& problem :
         CheckPoolLife(recording.Life(), 2, " (--workers=2 --tasks=10 --fail_task=3)")) {
      problems.push_back(std::move(problem));
    }
  }
  mp::grading::Report(problems);
}

// Pass criterion: nonsense flag values exit 2 with a message.
TEST(WorkerPoolGrade, BadFlagsExitTwo) {
  std::vector<std::string> problems;
  for (const char* bad : {"--workers=0", "--workers=abc", "--tasks=0", "--workers=1000"}) {
    absl::StatusOr<mp::grading::ProgramRun> run =
        mp::grading::RunWithPipes(mp::grading::Program(), {bad}, kTimeout);
    if (!run.ok() || run->exit_code != 2 || run->stderr_text.empty()) {
      problems.push_back(absl::StrCat("With ", bad, " the program should exit 2 with a message."));
    }
  }
  mp::grading::Report(problems);
}

}  // namespace
