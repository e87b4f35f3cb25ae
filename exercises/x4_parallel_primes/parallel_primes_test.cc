// The grader for exercise X4 (run as `parallel_primes_test <program> <pass|fail>`; see
// exercises/grading/grading.h).
//
// Two checks need no clock, so they hold on any machine and in sanitized builds: the
// counts are right, and the counting ran in worker processes (their CPU time, which the
// kernel adds to the program's "children" time when they are reaped, far exceeds the
// program's own). The speed check compares the program's speedup from 1 to 2 workers
// with what raw fork()ed workers doing the same arithmetic reach in the same moment,
// taken by turns (process/testing/speedup_by_turns.h); with no parallelism free for us,
// or in a sanitized build, it says so and judges nothing.

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/pool_record.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"
#include "process/cpu_count.h"
#include "process/testing/speedup_by_turns.h"

namespace {

constexpr absl::Duration kTimeout = absl::Seconds(60);
constexpr int64_t kLimit = 2000000;
const std::string kExpected = "primes below 2000000: 148933\n";

// Runs the program; the measured run, or a problem added to `problems`.
absl::StatusOr<mp::grading::MeasuredRun> RunProgram(const std::vector<std::string>& args,
                                             const std::string& expected,
                                             std::vector<std::string>& problems) {
  absl::StatusOr<mp::grading::MeasuredRun> measured =
      mp::grading::RunMeasuringCpu(mp::grading::Program(), args, kTimeout);
  if (!measured.ok()) {
    problems.push_back(absl::StrCat("With ", absl::StrJoin(args, " "), ": ",
                                    measured.status().message(), "."));
    return measured;
  }
  const mp::grading::ProgramRun& run = measured->run;
  if (run.exit_code != 0 || run.stdout_text != expected) {
    problems.push_back(absl::StrCat(
        "With ", absl::StrJoin(args, " "), ": ",
        mp::grading::ExpectedButSaw(absl::StrCat("\"", expected.substr(0, expected.size() - 1),
                                                 "\" and exit 0"),
                                    run.stdout_text),
        run.stderr_text.empty() ? "" : absl::StrCat("\nIts stderr: ", run.stderr_text)));
  }
  return measured;
}

// The grader's own count on raw fork() workers: the same trial division over the same
// 64 ranges, worker k taking ranges k, k + n, ...
bool IsPrime(int64_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (int64_t divisor = 3; divisor * divisor <= n; divisor += 2) {
    if (n % divisor == 0) return false;
  }
  return true;
}

int64_t CountRangesOfWorker(int worker, int workers) {
  constexpr int64_t kRanges = 64;
  int64_t primes = 0;
  for (int64_t i = worker; i < kRanges; i += workers) {
    for (int64_t n = kLimit * i / kRanges; n < kLimit * (i + 1) / kRanges; ++n) {
      primes += IsPrime(n) ? 1 : 0;
    }
  }
  return primes;
}

// Pass criterion: the right count for small and large limits with 1 and 2 workers.
TEST(ParallelPrimesGrade, CountsArePrimesBelowTheLimit) {
  std::vector<std::string> problems;
  for (const char* workers : {"--workers=1", "--workers=2"}) {
    RunProgram({workers, "--limit=100000"}, "primes below 100000: 9592\n", problems).IgnoreError();
    RunProgram({workers, "--limit=2"}, "primes below 2: 0\n", problems).IgnoreError();
  }
  mp::grading::Report(problems);
}

// Pass criterion: counting the primes below 4,000,000 with --workers=2, the pool's own
// record shows an mp::Pool of 2 worker processes whose workers ran tasks, and the worker
// processes the program started (and reaped) used at least twice the CPU time of the
// program itself: the counting ran in them. CPU time, not wall time: the machine's load
// does not change it. (The program's own share is its start-up and exit; a sanitizer
// makes those slower, hence a job large enough to dwarf them.)
TEST(ParallelPrimesGrade, TheCountingRunsInWorkerProcesses) {
  std::vector<std::string> problems;
  mp::grading::PoolRecording recording;
  absl::StatusOr<mp::grading::MeasuredRun> run = RunProgram(
      {"--workers=2", "--limit=4000000"}, "primes below 4000000: 283146\n", problems);
  if (run.ok()) {
    for (std::string& problem : mp::grading::ProblemsWithThePool(
             recording.Life(), 2, " (with --workers=2)", "HINTS.md, hints 1-3")) {
      problems.push_back(std::move(problem));
    }
  }
  if (run.ok() && run->children_cpu_seconds < 2 * run->own_cpu_seconds) {
    problems.push_back(absl::StrFormat(
        "The counting ran in the program's own process, not in worker processes: with "
        "--workers=2 the program itself used %.2f s of CPU and its workers %.2f s. Map "
        "CountPrimes over many ranges on an mp::Pool (HINTS.md, hints 1-3).",
        run->own_cpu_seconds, run->children_cpu_seconds));
  }
  mp::grading::Report(problems);
}

// Pass criterion: from 1 to 2 workers, the program speeds up at least 85% as much as
// raw fork() workers doing the same count do in the same moment (taken by turns).
TEST(ParallelPrimesGrade, TwoWorkersSpeedUpAsMuchAsTheMachineAllows) {
  if (mp::CpuCount() < 2) {
    GTEST_SKIP() << "this machine gives us " << mp::CpuCount() << " CPU; a speedup needs 2";
  }
  std::vector<std::string> problems;
  mp::test::SpeedCheckOptions options = {
      .baseline = {"the grader's own count on raw fork() workers",
                   [](int workers) {
                     return mp::test::TimeRawForkWorkers(workers, CountRangesOfWorker);
                   }},
      .subjects = {{{"your program", [&problems](int workers) -> absl::StatusOr<double> {
                       const size_t problems_before = problems.size();
                       absl::StatusOr<mp::grading::MeasuredRun> run = RunProgram(
                           {absl::StrCat("--workers=", workers), absl::StrCat("--limit=", kLimit)},
                           kExpected, problems);
                       if (!run.ok()) return run.status();
                       if (problems.size() > problems_before) {
                         return absl::FailedPreconditionError("its output was wrong");
                       }
                       return run->wall_seconds;
                     }}}},
      .rounds = 3};
  const mp::test::SpeedCheck check = mp::test::RunSpeedCheck(options);
  if (check.outcome == mp::test::SpeedCheck::kFail && problems.empty()) {
    problems.push_back(absl::StrCat(
        "2 workers should speed the count up nearly as much as the machine allows right "
        "now, measured by the grader's own count on raw fork() workers in the same moment. "
        "Is the counting really shared by the pool's workers, in many small ranges "
        "(HINTS.md, hints 1-3)?\n",
        check.report));
  }
  if (check.outcome == mp::test::SpeedCheck::kCannotJudge) {
    std::cout << "Speed not judged: " << check.report << "\n";
    mp::grading::NoteSpeedNotJudged(check.report);
  }
  mp::grading::Report(problems);
}

}  // namespace
