// Proves the claims of this lesson's README, one test per claim.

#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "concepts/09_fault_tolerance/crashing_tasks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/shared_value.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "process/testing/counterfactual.h"

namespace mp::concepts {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kGenerous = absl::Seconds(30);
constexpr int64_t kCrashTask = 7;

std::vector<int64_t> Range(int n) {
  std::vector<int64_t> values(n);
  for (int i = 0; i < n; ++i) values[i] = i;
  return values;
}

absl::StatusOr<Pool> PoolWithACrashingTask(Crash crash, int retries = 0,
                                           const std::string& attempts_name = "") {
  return Pool::Create({.workers = 2,
                       .retries = retries,
                       .initializer = Call(ConfigureCrash, kCrashTask,
                                           static_cast<int32_t>(crash), attempts_name, int64_t{0})});
}

struct CrashCase {
  Crash crash;
  const char* named;  // what the error must say
};

class FaultToleranceTest : public test::IpcLeakCheckedTest,
                           public ::testing::WithParamInterface<CrashCase> {};

INSTANTIATE_TEST_SUITE_P(EveryWayToDie, FaultToleranceTest,
                         ::testing::Values(CrashCase{Crash::kSigkill, "killed by SIGKILL"},
                                           CrashCase{Crash::kSegfault, "killed by SIGSEGV"},
                                           CrashCase{Crash::kAbort, "killed by SIGABRT"},
                                           CrashCase{Crash::kExit, "exited with code 3"}));

// Claims 1 and 2: the map comes back; only the task whose worker died fails, with an
// error that names the worker and how it died; every other task has its result.
TEST_P(FaultToleranceTest, OnlyTheTaskWhoseWorkerDiedFailsAndTheMapReturns) {
  absl::StatusOr<Pool> pool = PoolWithACrashingTask(GetParam().crash);
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<MapResult<int64_t>> async = pool->MapAsync(DoubleOrCrash, Range(20), {.chunksize = 1});
  ASSERT_THAT(async, IsOk());
  // (Bounded: with the dead worker's chunk forgotten, the map would wait for ever.)
  absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> each =
      async->GetEach(internal::BoundOnWaits(kGenerous));
  ASSERT_THAT(each, IsOk()) << "the map did not come back";
  for (int64_t task = 0; task < 20; ++task) {
    if (task == kCrashTask) {
      EXPECT_THAT((*each)[task], StatusIs(absl::StatusCode::kAborted,
                                          HasSubstr(GetParam().named)));
      EXPECT_THAT((*each)[task].status().message(), HasSubstr("worker "));
    } else {
      EXPECT_THAT((*each)[task], IsOkAndHolds(2 * task)) << "task " << task;
    }
  }
}

// Claim 3: the dead worker is replaced; the pool keeps its size and takes more work.
TEST_P(FaultToleranceTest, TheDeadWorkerIsReplacedAndThePoolGoesOn) {
  absl::StatusOr<Pool> pool = PoolWithACrashingTask(GetParam().crash);
  ASSERT_THAT(pool, IsOk());
  const std::vector<pid_t> before = pool->WorkerPids();
  EXPECT_THAT(pool->Apply(DoubleOrCrash, kCrashTask), StatusIs(absl::StatusCode::kAborted));
  const std::vector<pid_t> after = pool->WorkerPids();
  EXPECT_EQ(after.size(), before.size());
  const auto survivors = std::count_if(after.begin(), after.end(), [&](pid_t pid) {
    return std::find(before.begin(), before.end(), pid) != before.end();
  });
  EXPECT_EQ(survivors, static_cast<long>(before.size()) - 1) << "exactly one worker is new";
  EXPECT_THAT(pool->Map(DoubleOrCrash, std::vector<int64_t>{1, 2, 3}), IsOkAndHolds(ElementsAre(2, 4, 6)));
}

// Claims 1 and 3, counterfactuals: a pool that forgets the chunk its dead worker was
// running (the map waits for it), and one that breaks when a worker dies, as
// concurrent.futures' ProcessPoolExecutor does (BrokenProcessPool).
TEST(FaultToleranceCounterfactualTest, ForgettingTheDeadWorkersChunkFailsClaim1) {
  EXPECT_THAT(test::FailsWithBugPutBack(
                  "EveryWayToDie/FaultToleranceTest.OnlyTheTaskWhoseWorkerDiedFailsAndTheMapReturns/0",
                  "dead_workers_chunk_forgotten"),
              IsOk());
}

TEST(FaultToleranceCounterfactualTest, BreakingThePoolWhenAWorkerDiesFailsClaim3) {
  EXPECT_THAT(test::FailsWithBugPutBack(
                  "EveryWayToDie/FaultToleranceTest.TheDeadWorkerIsReplacedAndThePoolGoesOn/0",
                  "pool_breaks_when_a_worker_dies"),
              IsOk());
}

class RetryTest : public test::IpcLeakCheckedTest {};

// Claim 4: with retries, a task whose worker died runs again, and a transient fault
// (one that does not recur) no longer fails the map; without them it does.
TEST_F(RetryTest, WithARetryATransientCrashNoLongerFailsTheMap) {
  for (int retries : {0, 1}) {
    SCOPED_TRACE(absl::StrCat("retries = ", retries));
    absl::StatusOr<RawSharedValue<int32_t>> attempts = RawSharedValue<int32_t>::Create(0);
    ASSERT_THAT(attempts, IsOk());
    absl::StatusOr<Pool> pool = PoolWithACrashingTask(Crash::kSigkill, retries, attempts->name());
    ASSERT_THAT(pool, IsOk());
    absl::StatusOr<std::vector<int64_t>> doubled = pool->Map(DoubleOrCrash, Range(20), {.chunksize = 1});
    if (retries == 0) {
      EXPECT_THAT(doubled, StatusIs(absl::StatusCode::kAborted, HasSubstr("SIGKILL")));
    } else {
      ASSERT_THAT(doubled, IsOk());
      EXPECT_EQ((*doubled)[kCrashTask], 2 * kCrashTask);
    }
    EXPECT_EQ(**attempts, retries + 1) << "how many times task 7 ran";
  }
}

}  // namespace
}  // namespace mp::concepts
