// The per-core scaling test: CPU-bound work on 2 workers speeds up as much as the
// machine allows for Pool and ThreadPool, and not at all for threads that must hold one
// global lock (the GIL model).
//
// "As much as the machine allows" is measured in the same moment, not assumed: raw
// fork()ed workers doing the same arithmetic are the baseline, and they take turns with
// the engines job by job (process/testing/speedup_by_turns.h has the rules). A loaded or
// slow machine lowers the baseline and the engines alike; a pool that serializes its
// work fails whatever the machine. With no parallelism at all in the baseline (one free
// CPU), or in a sanitized build, the speed test skips and says why; the answers are
// checked in every build.

#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "scaling/engines.h"
#include "scaling/workloads.h"
#include "gtest/gtest.h"
#include "process/cpu_count.h"
#include "process/testing/speedup_by_turns.h"

namespace mp::scaling {
namespace {

using test::Contender;
using test::Expectation;
using test::SpeedCheck;

const WorkSize kSize = WorkSize::Scaled(0.1, 0.25);

// The cpu job on raw fork() workers: worker k counts the ranges k, k + n, k + 2n, ...
// (neighbouring ranges cost about the same, so the shares are even).
absl::StatusOr<double> RawForkJob(int workers, int64_t* primes = nullptr) {
  const std::vector<PrimeRange> ranges = CpuTasks(kSize);
  return test::TimeRawForkWorkers(
      workers,
      [&ranges](int worker, int workers) {
        int64_t found = 0;
        for (size_t i = worker; i < ranges.size(); i += workers) found += CountPrimes(ranges[i]).value;
        return found;
      },
      primes);
}

// One engine's runners on 1 and on 2 workers, started (and warmed up) once.
class EngineOnOneAndTwo {
 public:
  static absl::StatusOr<EngineOnOneAndTwo> Start(Engine engine) {
    EngineOnOneAndTwo both;
    for (int workers : {1, 2}) {
      absl::StatusOr<std::unique_ptr<EngineRunner>> runner = EngineRunner::Create(engine, workers);
      if (!runner.ok()) return runner.status();
      absl::StatusOr<JobRun> warm_up = (*runner)->Run(Workload::kCpu, kSize);
      if (!warm_up.ok()) return warm_up.status();
      both.runners_[workers] = *std::move(runner);
    }
    return both;
  }

  // One timed job on `workers`; an error if its answer is not `primes`.
  absl::StatusOr<double> Time(int workers, int64_t primes) {
    absl::StatusOr<JobRun> run = runners_.at(workers)->Run(Workload::kCpu, kSize);
    if (!run.ok()) return run.status();
    if (run->checksum != primes) {
      return absl::InternalError(
          absl::StrCat("found ", run->checksum, " primes; raw fork() workers found ", primes));
    }
    return run->wall_seconds;
  }

 private:
  std::map<int, std::unique_ptr<EngineRunner>> runners_;
};

// Pass criterion: every engine, on 1 and on 2 workers, finds as many primes as raw
// fork() workers do. Checked in every build, sanitized ones too.
TEST(ScalingTest, EveryEngineFindsWhatRawForkWorkersFind) {
  int64_t primes = 0;
  ASSERT_TRUE(RawForkJob(2, &primes).ok());
  ASSERT_GT(primes, 0);
  for (Engine engine : kAllEngines) {
    absl::StatusOr<EngineOnOneAndTwo> runners = EngineOnOneAndTwo::Start(engine);
    ASSERT_TRUE(runners.ok()) << runners.status();
    for (int workers : {1, 2}) {
      absl::StatusOr<double> seconds = runners->Time(workers, primes);
      EXPECT_TRUE(seconds.ok()) << EngineTitle(engine) << ", " << workers << " workers: "
                                << seconds.status();
    }
  }
}

// Pass criterion: from 1 to 2 workers, Pool and ThreadPool reach at least 85% of the
// speedup that raw fork() workers reach in the same moment, and the global-lock engine
// gains at most 35% of what they gain.
TEST(ScalingTest, TwoWorkersSpeedUpCpuBoundWorkExceptUnderAGlobalLock) {
  if (CpuCount() < 2) {
    GTEST_SKIP() << "this process may use " << CpuCount()
                 << " CPU; the scaling test needs at least 2";
  }
  int64_t primes = 0;
  ASSERT_TRUE(RawForkJob(1, &primes).ok());

  std::vector<EngineOnOneAndTwo> engines;
  test::SpeedCheckOptions options = {
      .baseline = {"raw fork() workers", [](int workers) { return RawForkJob(workers); }},
      .workers = 2};
  for (Engine engine : kAllEngines) {
    absl::StatusOr<EngineOnOneAndTwo> runners = EngineOnOneAndTwo::Start(engine);
    ASSERT_TRUE(runners.ok()) << runners.status();
    engines.push_back(*std::move(runners));
  }
  for (size_t i = 0; i < engines.size(); ++i) {
    EngineOnOneAndTwo* runners = &engines[i];
    options.subjects.push_back(
        {Contender{std::string(EngineTitle(kAllEngines[i])),
                   [runners, primes](int workers) { return runners->Time(workers, primes); }},
         kAllEngines[i] == Engine::kGlobalLock ? Expectation::kDoesNotScale
                                               : Expectation::kScalesLikeBaseline});
  }

  const SpeedCheck check = test::RunSpeedCheck(options);
  if (check.outcome == SpeedCheck::kCannotJudge) GTEST_SKIP() << check.report;
  EXPECT_EQ(check.outcome, SpeedCheck::kPass)
      << "CPU-bound scaling from 1 to 2 workers fell short of the same-moment baseline:\n"
      << check.report;
  std::cout << check.report;
}

}  // namespace
}  // namespace mp::scaling
