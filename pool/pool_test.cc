#include "pool/pool.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/barrier.h"
#include "ipc/event.h"
#include "ipc/shared_value.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool_task.h"
#include "process/process.h"
#include "process/testing/status_matchers.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kGenerous = absl::Seconds(120);

// --- Tasks: registered so that fork, spawn and forkserver workers all find them --------

int Double(int x) { return 2 * x; }
MP_POOL_TASK(Double);

int64_t Identity(int64_t x) { return x; }
MP_POOL_TASK(Identity);

int Add(int a, int b) { return a + b; }
MP_POOL_TASK(Add);

pid_t WorkerPid(int) { return getpid(); }
MP_POOL_TASK(WorkerPid);

// Fails for 3 with a status, throws for 4.
absl::StatusOr<int> Picky(int x) {
  if (x == 3) return absl::InvalidArgumentError("three is not allowed");
  if (x == 4) throw std::runtime_error("four is worse");
  return x;
}
MP_POOL_TASK(Picky);

// Returns only once `parties` tasks wait here at the same time.
pid_t MeetAtBarrier(std::string barrier_name) {
  absl::StatusOr<Barrier> barrier = Barrier::Attach(barrier_name);
  if (!barrier.ok() || !barrier->Wait(kGenerous).ok()) return -1;
  return getpid();
}
MP_POOL_TASK(MeetAtBarrier);

std::string Bytes(int64_t size) { return std::string(static_cast<size_t>(size), 'b'); }
MP_POOL_TASK(Bytes);

class PoolTest : public test::IpcLeakCheckedTest,
                 public ::testing::WithParamInterface<StartMethod> {};

INSTANTIATE_TEST_SUITE_P(AllStartMethods, PoolTest,
                         ::testing::Values(StartMethod::kFork, StartMethod::kSpawn,
                                           StartMethod::kForkServer),
                         [](const ::testing::TestParamInfo<StartMethod>& info) {
                           return std::string(StartMethodName(info.param));
                         });

// The seed's own example.
TEST_P(PoolTest, MapDoublesEachNumberInOrder) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 4, .start_method = GetParam()});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(Double, std::vector<int>{1, 2, 3, 4, 5}),
              IsOkAndHolds(ElementsAre(2, 4, 6, 8, 10)));
  EXPECT_THAT(pool->Starmap(Add, std::vector<std::tuple<int, int>>{{1, 2}, {3, 4}}),
              IsOkAndHolds(ElementsAre(3, 7)));
  EXPECT_THAT(pool->Apply(Add, 20, 22), IsOkAndHolds(42));
}

// Passes when N tasks meet at a barrier of N: only possible if N workers run at once,
// each a different process from this one.
TEST_P(PoolTest, TasksRunInDifferentProcessesAtTheSameTime) {
  constexpr int kWorkers = 3;
  absl::StatusOr<Pool> pool = Pool::Create({.workers = kWorkers, .start_method = GetParam()});
  absl::StatusOr<Barrier> barrier = Barrier::Create(kWorkers);
  ASSERT_THAT(pool, IsOk());
  ASSERT_THAT(barrier, IsOk());
  absl::StatusOr<std::vector<pid_t>> pids = pool->Map(
      MeetAtBarrier, std::vector<std::string>(kWorkers, barrier->name()), {.chunksize = 1});
  ASSERT_THAT(pids, IsOk());
  std::set<pid_t> distinct(pids->begin(), pids->end());
  EXPECT_EQ(distinct.size(), kWorkers);
  EXPECT_EQ(distinct.count(getpid()), 0);
  EXPECT_EQ(distinct.count(-1), 0);
}

// Passes when a task's error or exception reaches the caller with its worker's pid,
// and the other tasks' results are unaffected.
TEST_P(PoolTest, ATaskErrorIsThatTasksResultOnly) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .start_method = GetParam()});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(Picky, std::vector<int>{1, 2, 3, 4, 5}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("task 2 failed in worker")));
  absl::StatusOr<MapResult<int>> async = pool->MapAsync(Picky, std::vector<int>{1, 2, 3, 4, 5});
  ASSERT_THAT(async, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int>>> each = async->GetEach(kGenerous);
  ASSERT_THAT(each, IsOk());
  EXPECT_THAT((*each)[0], IsOkAndHolds(1));
  EXPECT_THAT((*each)[2], StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("three")));
  EXPECT_THAT((*each)[3], StatusIs(absl::StatusCode::kUnknown, HasSubstr("four is worse")));
  EXPECT_THAT((*each)[4], IsOkAndHolds(5));
  EXPECT_FALSE(async->Successful());
}

}  // namespace
}  // namespace mp
