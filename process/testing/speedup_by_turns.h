// Speed checks that fail only for real defects: a speedup is judged against a baseline
// measured in the same moment, never against a fixed number.
//
// A fixed bar ("2 workers at least 1.5x faster than 1") fails a correct program whenever
// the machine is busy, slow or sanitized, and passes a wrong one on a fast machine. Here
// the baseline (raw fork()ed workers doing the same arithmetic) and each subject take
// turns, job by job, so a neighbour that steals a CPU slows both alike; the verdict is a
// ratio of the two speedups. Where the baseline itself shows no parallelism (one free
// CPU right now), nothing can be judged, and the check says so instead of failing.
//
//   SpeedCheck check = RunSpeedCheck({
//       .baseline = {"raw fork()", [](int n) { return TimeRawForkWorkers(n, work); }},
//       .subjects = {{{"Pool", time_pool}, Expectation::kScalesLikeBaseline}},
//       .workers = 2});
//   if (check.outcome == SpeedCheck::kCannotJudge) GTEST_SKIP() << check.report;
//   EXPECT_EQ(check.outcome, SpeedCheck::kPass) << check.report;
//
// The rules (benchmarks/README.md explains them):
// - no parallelism: the baseline's speedup is below kLeastParallelSpeedup;
// - kScalesLikeBaseline: speedup >= kShareOfBaselineSpeedup x the baseline's;
// - kDoesNotScale: what the subject gains over 1x is at most kShareOfBaselineGain of
//   what the baseline gains (a global lock: about none of it).
// Under a sanitizer no speed is judged at all (SanitizerName()).

#ifndef MP_PROCESS_TESTING_SPEEDUP_BY_TURNS_H_
#define MP_PROCESS_TESTING_SPEEDUP_BY_TURNS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mp::test {

inline constexpr double kLeastParallelSpeedup = 1.4;
// A failure needs this many judged attempts, all short: one noisy attempt is not enough.
inline constexpr int kJudgedAttemptsToFail = 2;
inline constexpr double kShareOfBaselineSpeedup = 0.85;
inline constexpr double kShareOfBaselineGain = 0.35;

// "AddressSanitizer" or "ThreadSanitizer" when this binary was built with one, else
// empty. Sanitizers slow code by factors that differ from one line to the next, so a
// sanitized speed says nothing about the code.
absl::string_view SanitizerName();

// One way of doing the job: times one job on `workers` workers, in seconds.
struct Contender {
  std::string name = {};
  std::function<absl::StatusOr<double>(int workers)> seconds_on = {};
};

enum class Expectation {
  kScalesLikeBaseline,  // gets (nearly) the baseline's speedup
  kDoesNotScale,        // gets (nearly) none of it, e.g. under a global lock
};

struct Subject {
  Contender contender = {};
  Expectation expectation = Expectation::kScalesLikeBaseline;
};

struct SpeedCheckOptions {
  Contender baseline = {};
  std::vector<Subject> subjects = {};
  int workers = 2;   // compared with 1
  int rounds = 5;    // jobs per contender and worker count, taken by turns; medians count
  int attempts = 3;  // the check passes when one attempt passes
  // For tests of this check itself, whose contenders are fakes that report fixed times.
  bool judge_under_sanitizers = false;
};

struct SpeedCheck {
  enum Outcome { kPass, kFail, kCannotJudge };
  Outcome outcome = kCannotJudge;
  // Every attempt: each contender's median times and speedup, and the verdict with the
  // rule it applied. Enough to tell a neighbour stealing CPUs from a regression.
  std::string report = {};
};

// Runs up to `attempts` attempts. Each one times every contender on 1 and on `workers`
// workers by turns (baseline 1, subjects 1, baseline n, subjects n; `rounds` times) and
// judges each subject's median speedup against the baseline's. kPass at the first
// attempt where every subject passes; kFail when at least kJudgedAttemptsToFail attempts
// showed parallelism and none passed, and when a job fails; else kCannotJudge (no
// parallelism to judge by, or a sanitized binary), with the report saying which.
SpeedCheck RunSpeedCheck(const SpeedCheckOptions& options);

// The baseline most checks want: `workers` children made with fork() alone, child k
// running work(k, workers) and sending back its int64 answer through a pipe. Times the
// whole job (first fork() to last waitpid()). `answer`, when given, gets the sum of the
// children's answers, for checking that the subject computed the same thing.
//
// work() runs in a forked child of a process that may have threads: it must compute
// only (no locks, no allocation that another thread may hold the lock of).
absl::StatusOr<double> TimeRawForkWorkers(int workers,
                                          const std::function<int64_t(int worker, int workers)>& work,
                                          int64_t* answer = nullptr);

}  // namespace mp::test

#endif  // MP_PROCESS_TESTING_SPEEDUP_BY_TURNS_H_
