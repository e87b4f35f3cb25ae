// Proves the claims of this lesson's README, one test per claim.

#include <sched.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/event.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "process/cpu_count.h"
#include "process/process.h"
#include "process/testing/counterfactual.h"
#include "process/testing/leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr absl::Duration kGenerous = absl::Seconds(30);

int Square(int x) { return x * x; }
MP_POOL_TASK(Square);

int Power(int base, int exponent) {
  int result = 1;
  for (int i = 0; i < exponent; ++i) result *= base;
  return result;
}
MP_POOL_TASK(Power);

pid_t WhoRanMe(int /*task*/) { return getpid(); }
MP_POOL_TASK(WhoRanMe);

int greeting_count = 0;  // set by the initializer in each worker
void Greet(int times) { greeting_count = times; }
MP_POOL_TASK(Greet);
int GreetingCount(int /*task*/) { return greeting_count; }
MP_POOL_TASK(GreetingCount);

int WaitForEvent(std::string event_name) {
  absl::StatusOr<Event> event = Event::Attach(event_name);
  return event.ok() && event->Wait(internal::BoundOnWaits(kGenerous)).ok() ? 0 : -1;
}
MP_POOL_TASK(WaitForEvent);

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

class CreateAPoolTest : public test::IpcLeakCheckedTest {};

// Claim 1: by default a pool has one worker per CPU this process may use; or as many as
// asked; a negative size is refused.
TEST_F(CreateAPoolTest, TheDefaultSizeIsOneWorkerPerCpu) {
  absl::StatusOr<Pool> by_default = Pool::Create();
  ASSERT_THAT(by_default, IsOk());
  EXPECT_EQ(by_default->workers(), CpuCount());
  EXPECT_EQ(by_default->WorkerPids().size(), static_cast<size_t>(CpuCount()));
  absl::StatusOr<Pool> three = Pool::Create({.workers = 3});
  ASSERT_THAT(three, IsOk());
  EXPECT_EQ(three->WorkerPids().size(), 3u);
  EXPECT_THAT(Pool::Create({.workers = -1}), StatusIs(absl::StatusCode::kInvalidArgument));
  // "This process may use": a child allowed one CPU gets a pool of one worker by default,
  // however many CPUs the machine has.
  Process on_one_cpu([] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) return 2;
    absl::StatusOr<Pool> pool = Pool::Create();
    return pool.ok() && pool->workers() == 1 && pool->WorkerPids().size() == 1u ? 0 : 1;
  });
  ASSERT_THAT(on_one_cpu.Start(), IsOk());
  ASSERT_THAT(on_one_cpu.Join(), IsOk());
  EXPECT_THAT(on_one_cpu.exit_code(), Optional(0));
}

// Claim 1, counterfactuals: a negative size accepted (taken as the default), or the
// default size taken from the machine's CPUs instead of those this process may use.
TEST_F(CreateAPoolTest, ANegativeSizeAcceptedFailsClaim1) {
  EXPECT_THAT(test::FailsWithBugPutBack("CreateAPoolTest.TheDefaultSizeIsOneWorkerPerCpu",
                                        "pool_accepts_negative_size"),
              IsOk());
}

TEST_F(CreateAPoolTest, ASizeThatIgnoresTheAllowedCpusFailsClaim1) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "one CPU: both ways give one worker";
  EXPECT_THAT(test::FailsWithBugPutBack("CreateAPoolTest.TheDefaultSizeIsOneWorkerPerCpu",
                                        "pool_size_ignores_affinity"),
              IsOk());
}

// Claim 2: Map applies one function to every input; Starmap to tuples of arguments;
// Apply runs a single call.
TEST_F(CreateAPoolTest, MapStarmapAndApplyReturnTheResults) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(Square, std::vector<int>{1, 2, 3, 4}), IsOkAndHolds(ElementsAre(1, 4, 9, 16)));
  EXPECT_THAT(pool->Starmap(Power, std::vector<std::tuple<int, int>>{{2, 3}, {3, 2}}),
              IsOkAndHolds(ElementsAre(8, 9)));
  EXPECT_THAT(pool->Apply(Power, 2, 10), IsOkAndHolds(1024));
}

// Claim 2, counterfactual: with a call's two arguments swapped in the worker, the test
// sees 10 to the power 2, not 2 to the power 10.
TEST_F(CreateAPoolTest, SwappedArgumentsFailClaim2) {
  EXPECT_THAT(test::FailsWithBugPutBack("CreateAPoolTest.MapStarmapAndApplyReturnTheResults",
                                        "arguments_swapped"),
              IsOk());
}

// Claim 3: Close() stops new work, the work already given still finishes, and Join()
// waits for it and for the workers to exit. Join() before Close() is refused.
TEST_F(CreateAPoolTest, CloseStopsNewWorkAndJoinWaitsForWhatWasGiven) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Join(kGenerous), StatusIs(absl::StatusCode::kFailedPrecondition));
  absl::StatusOr<MapResult<int>> given = pool->MapAsync(Square, std::vector<int>{5, 6});
  ASSERT_THAT(given, IsOk());
  pool->Close();
  EXPECT_THAT(pool->Map(Square, std::vector<int>{7}), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(pool->Join(kGenerous), IsOk());
  EXPECT_THAT(given->Get(absl::ZeroDuration()), IsOkAndHolds(ElementsAre(25, 36)));
  EXPECT_THAT(test::ChildrenOf(getpid()), IsEmpty()) << "joined workers are collected";
}

// Claim 4: Terminate() ends the workers now; what they were running fails with Cancelled.
TEST_F(CreateAPoolTest, TerminateEndsTheWorkersNowAndCancelsTheirTasks) {
  absl::StatusOr<Event> never = Event::Create();
  ASSERT_THAT(never, IsOk());
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<AsyncResult<int>> stuck = pool->ApplyAsync(WaitForEvent, never->name());
  ASSERT_THAT(stuck, IsOk());
  pool->Terminate();
  EXPECT_THAT(stuck->Get(kGenerous), StatusIs(absl::StatusCode::kCancelled));
  ASSERT_THAT(pool->Join(kGenerous), IsOk());
}

// Claim 5: destroying a pool ends and collects its workers, even busy ones (Python's
// `with Pool() as pool:` terminates at the end of the block).
TEST_F(CreateAPoolTest, DestroyingAPoolEndsItsWorkers) {
  absl::StatusOr<Event> never = Event::Create();
  ASSERT_THAT(never, IsOk());
  std::vector<pid_t> workers;
  {
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
    ASSERT_THAT(pool, IsOk());
    workers = pool->WorkerPids();
    ASSERT_THAT(pool->ApplyAsync(WaitForEvent, never->name()), IsOk());
  }
  for (pid_t worker : workers) EXPECT_FALSE(ProcessExists(worker)) << "worker " << worker;
  EXPECT_THAT(test::ChildrenOf(getpid()), IsEmpty());
}

// Claim 5, counterfactual: a pool that lets go of its busy workers when it ends, neither
// killing nor collecting them.
TEST_F(CreateAPoolTest, LeavingBusyWorkersRunningFailsClaim5) {
  EXPECT_THAT(test::FailsWithBugPutBack("CreateAPoolTest.DestroyingAPoolEndsItsWorkers",
                                        "pool_leaves_busy_workers_running"),
              IsOk());
}

// Claim 6: the initializer runs in every worker before any task.
TEST_F(CreateAPoolTest, TheInitializerRunsInEveryWorkerBeforeItsTasks) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 3, .initializer = Call(Greet, 7)});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<std::vector<int>> seen = pool->Map(GreetingCount, std::vector<int>(30, 0), {.chunksize = 1});
  ASSERT_THAT(seen, IsOk());
  EXPECT_THAT(std::set<int>(seen->begin(), seen->end()), ElementsAre(7));
  // Counterfactual: without the initializer no worker has been greeted.
  absl::StatusOr<Pool> plain = Pool::Create({.workers = 3});
  ASSERT_THAT(plain, IsOk());
  EXPECT_THAT(plain->Map(GreetingCount, std::vector<int>(30, 0), {.chunksize = 1}),
              IsOkAndHolds(Each(0)));
}

// Claim 7: with max_tasks_per_child = 1, every task runs in a fresh worker process.
TEST_F(CreateAPoolTest, MaxTasksPerChildRetiresWorkers) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .max_tasks_per_child = 1});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<std::vector<pid_t>> ran_by = pool->Map(WhoRanMe, std::vector<int>(20, 0), {.chunksize = 1});
  ASSERT_THAT(ran_by, IsOk());
  EXPECT_EQ(std::set<pid_t>(ran_by->begin(), ran_by->end()).size(), 20u);
  // Counterfactual: without it (0), the same 20 tasks run in the pool's 2 processes.
  absl::StatusOr<Pool> lasting = Pool::Create({.workers = 2, .max_tasks_per_child = 0});
  ASSERT_THAT(lasting, IsOk());
  ran_by = lasting->Map(WhoRanMe, std::vector<int>(20, 0), {.chunksize = 1});
  ASSERT_THAT(ran_by, IsOk());
  EXPECT_LE(std::set<pid_t>(ran_by->begin(), ran_by->end()).size(), 2u);
}

// Claim 8: the same pool code works with every start method.
class CreateAPoolStartMethodTest : public test::IpcLeakCheckedTest,
                                   public ::testing::WithParamInterface<StartMethod> {};
INSTANTIATE_TEST_SUITE_P(AllStartMethods, CreateAPoolStartMethodTest,
                         ::testing::Values(StartMethod::kFork, StartMethod::kSpawn,
                                           StartMethod::kForkServer),
                         [](const ::testing::TestParamInfo<StartMethod>& info) {
                           return std::string(StartMethodName(info.param));
                         });

TEST_P(CreateAPoolStartMethodTest, EveryStartMethodMapsTheSame) {
  absl::StatusOr<Pool> pool =
      Pool::Create({.workers = 2, .start_method = GetParam(), .initializer = Call(Greet, 3)});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(Square, std::vector<int>{1, 2, 3}), IsOkAndHolds(ElementsAre(1, 4, 9)));
  EXPECT_THAT(pool->Map(GreetingCount, std::vector<int>{0}), IsOkAndHolds(ElementsAre(3)));
  pool->Close();
  EXPECT_THAT(pool->Join(kGenerous), IsOk());
}

}  // namespace
}  // namespace mp
