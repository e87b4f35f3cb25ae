// Proves the claims of this lesson's README, one test per claim.

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/event.h"
#include "ipc/shared_value.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "pool/trace/timeline_files.h"
#include "process/life_record.h"
#include "process/process.h"
#include "process/testing/counterfactual.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSubsetOf;

constexpr absl::Duration kGenerous = absl::Seconds(30);

pid_t WhoRanMe(int /*task*/) { return getpid(); }
MP_POOL_TASK(WhoRanMe);

// The shared state of the "task 0 finishes late" job, opened in each worker by the pool's
// initializer: a count of finished tasks, and an event set when enough have finished.
constexpr int kLateTasks = 500;
constexpr int kFinishedBeforeTaskZero = 400;
std::optional<SharedValue<int32_t>> finished;
std::optional<Event> enough_finished;

void OpenSharedState(std::string finished_name, std::string event_name) {
  absl::StatusOr<SharedValue<int32_t>> counter = SharedValue<int32_t>::Attach(finished_name);
  absl::StatusOr<Event> event = Event::Attach(event_name);
  if (!counter.ok() || !event.ok()) throw std::runtime_error("cannot attach the shared state");
  finished.emplace(*std::move(counter));
  enough_finished.emplace(*std::move(event));
}
MP_POOL_TASK(OpenSharedState);

// Returns {task, the order in which it finished}. Task 0 holds its worker until 400 other
// tasks have finished, which only happens if the other worker keeps taking tasks.
std::pair<int, int> FinishLateIfFirst(int task) {
  // (Bounded: where tasks were dealt out up front, 400 never finish while it waits.)
  if (task == 0 && !enough_finished->Wait(internal::BoundOnWaits(kGenerous)).ok()) {
    return {task, -1};
  }
  int32_t order = -1;
  if (!finished->Update([&order](int32_t& n) { order = ++n; }).ok()) return {task, -1};
  if (order == kFinishedBeforeTaskZero) enough_finished->Set();
  return {task, order};
}
MP_POOL_TASK(FinishLateIfFirst);

absl::StatusOr<int> FailOnSeven(int x) {
  if (x == 7) return absl::InvalidArgumentError("seven is not allowed");
  return x;
}
MP_POOL_TASK(FailOnSeven);

class WhatIsAPoolTest : public test::IpcLeakCheckedTest {};

std::vector<int> Range(int n) {
  std::vector<int> values(n);
  for (int i = 0; i < n; ++i) values[i] = i;
  return values;
}

// Claim 1: a pool runs many tasks on a few processes, started once and reused; a process
// per task means a new pid for every task.
TEST_F(WhatIsAPoolTest, APoolRunsManyTasksOnAFewReusedWorkers) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  const std::vector<pid_t> workers = pool->WorkerPids();
  absl::StatusOr<std::vector<pid_t>> ran_by = pool->Map(WhoRanMe, Range(100), {.chunksize = 1});
  ASSERT_THAT(ran_by, IsOk());
  const std::set<pid_t> pool_pids(ran_by->begin(), ran_by->end());
  EXPECT_THAT(pool_pids, IsSubsetOf(workers));
  EXPECT_EQ(pool->WorkerPids(), workers) << "no worker was replaced";

  std::set<pid_t> per_task_pids;
  for (int task = 0; task < 20; ++task) {
    Process process(WhoRanMe, task);
    ASSERT_THAT(process.Start(), IsOk());
    per_task_pids.insert(*process.pid());
    ASSERT_THAT(process.Join(), IsOk());
  }
  EXPECT_EQ(per_task_pids.size(), 20u);
}

// A pool of 2 whose workers share a fresh finished-count and event.
class LateTaskZeroTest : public WhatIsAPoolTest {
 protected:
  void SetUp() override {
    WhatIsAPoolTest::SetUp();
    counter_ = SharedValue<int32_t>::Create(0);
    event_ = Event::Create();
    ASSERT_THAT(counter_, IsOk());
    ASSERT_THAT(event_, IsOk());
    pool_ = Pool::Create(
        {.workers = 2, .initializer = Call(OpenSharedState, counter_->name(), event_->name())});
    ASSERT_THAT(pool_, IsOk());
  }
  void TearDown() override {
    // Everything goes before the leak check looks.
    pool_ = absl::CancelledError("destroyed");
    counter_ = absl::CancelledError("destroyed");
    event_ = absl::CancelledError("destroyed");
    WhatIsAPoolTest::TearDown();
  }

  absl::StatusOr<SharedValue<int32_t>> counter_ = absl::UnknownError("not created");
  absl::StatusOr<Event> event_ = absl::UnknownError("not created");
  absl::StatusOr<Pool> pool_ = absl::UnknownError("not created");
};

// Claim 3: while one worker is busy with a long task, the other keeps taking tasks: 400
// of the other 499 finish while task 0 holds its worker (task 0 waits for exactly that).
TEST_F(LateTaskZeroTest, WhileOneWorkerIsBusyTheOtherKeepsTakingTasks) {
  absl::StatusOr<ResultStream<std::pair<int, int>>> as_finished =
      pool_->ImapUnordered(FinishLateIfFirst, Range(kLateTasks), {.chunksize = 1});
  ASSERT_THAT(as_finished, IsOk());
  std::set<int> tasks;
  for (int i = 0; i < kLateTasks; ++i) {
    absl::StatusOr<std::pair<int, int>> next = as_finished->Next(kGenerous);
    ASSERT_THAT(next, IsOk());
    if (i == 0) {
      EXPECT_NE(next->first, 0) << "ImapUnordered gives results as they finish";
    }
    if (next->first == 0) {
      EXPECT_GT(next->second, kFinishedBeforeTaskZero) << "task 0 did not wait, or timed out";
    }
    tasks.insert(next->first);
  }
  EXPECT_EQ(tasks.size(), static_cast<size_t>(kLateTasks));
}

// Claim 3, counterfactual: tasks dealt out in fixed shares up front, as a static schedule
// does: the tasks queued behind task 0 wait for it, and 400 never finish before it.
TEST_F(LateTaskZeroTest, TasksDealtOutUpFrontFailClaim3) {
  EXPECT_THAT(test::FailsWithBugPutBack("LateTaskZeroTest.WhileOneWorkerIsBusyTheOtherKeepsTakingTasks",
                                        "tasks_dealt_up_front"),
              IsOk());
}

// Claim 4: Map gives the results in input order, whatever order the tasks finish in.
TEST_F(LateTaskZeroTest, MapReturnsResultsInInputOrderWhateverOrderTheyFinishIn) {
  absl::StatusOr<std::vector<std::pair<int, int>>> results =
      pool_->Map(FinishLateIfFirst, Range(kLateTasks), {.chunksize = 1});
  ASSERT_THAT(results, IsOk());
  for (int task = 0; task < kLateTasks; ++task) EXPECT_EQ((*results)[task].first, task);
  EXPECT_GT((*results)[0].second, kFinishedBeforeTaskZero) << "task 0 finished late, yet comes first";
}

// Claim 5: each task's error stays with that task; the other results are all there.
TEST_F(WhatIsAPoolTest, EachTasksErrorStaysWithThatTask) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<MapResult<int>> async = pool->MapAsync(FailOnSeven, Range(10));
  ASSERT_THAT(async, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int>>> each = async->GetEach(kGenerous);
  ASSERT_THAT(each, IsOk());
  for (int task = 0; task < 10; ++task) {
    if (task == 7) {
      EXPECT_THAT((*each)[task], StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("seven is not allowed")));
    } else {
      EXPECT_THAT((*each)[task], IsOkAndHolds(task));
    }
  }
  // Map, which promises every result, fails with the first error instead.
  EXPECT_THAT(pool->Map(FailOnSeven, Range(10)), StatusIs(absl::StatusCode::kInvalidArgument));
}

// The chunks workers ran in one Map at `chunksize`, as the pool's record says ("ran"
// lines come from the worker that ran them): {first task, count}, sorted.
std::set<std::pair<int64_t, int64_t>> ChunksRunAt(int chunksize) {
  const std::string record = absl::StrCat(std::getenv("TEST_TMPDIR"), "/chunks_", chunksize, ".record");
  if (!trace::StartPoolRecord(record).ok()) return {};
  {
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
    EXPECT_THAT(pool, IsOk());
    if (!pool.ok()) return {};
    EXPECT_THAT(pool->Map(WhoRanMe, Range(100), {.chunksize = chunksize}), IsOk());
    pool->Close();
    EXPECT_THAT(pool->Join(kGenerous), IsOk());
  }
  EXPECT_THAT(RecordPools(""), IsOk());
  std::set<std::pair<int64_t, int64_t>> chunks;
  absl::StatusOr<std::vector<internal::PoolEvent>> events = trace::ReadPoolRecordFile(record);
  for (const internal::PoolEvent& event : events.value_or(std::vector<internal::PoolEvent>{})) {
    if (event.what == "ran") chunks.insert({std::stoll(event.Field("first")), std::stoll(event.Field("count"))});
  }
  return chunks;
}

// Whether `chunks` are the tasks 0..99 in chunks of `chunksize`, each sent once.
bool InChunksOf(const std::set<std::pair<int64_t, int64_t>>& chunks, int chunksize) {
  std::set<std::pair<int64_t, int64_t>> expected;
  for (int64_t first = 0; first < 100; first += chunksize) expected.insert({first, chunksize});
  return chunks == expected;
}

// Claim 6: tasks travel to workers in chunks: the tasks of one chunk run one after another
// on one worker, and the workers ran exactly the chunks of 10 (their own record says
// so). Both ways: a Map that ignored chunksize, sending each task on its own (what
// chunksize 1 does), runs 100 chunks of 1, which the same check rejects.
TEST_F(WhatIsAPoolTest, TasksTravelInChunksOfChunksize) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  constexpr int kChunksize = 10;
  absl::StatusOr<std::vector<pid_t>> ran_by =
      pool->Map(WhoRanMe, Range(100), {.chunksize = kChunksize});
  ASSERT_THAT(ran_by, IsOk());
  for (int task = 0; task < 100; ++task) {
    EXPECT_EQ((*ran_by)[task], (*ran_by)[task - task % kChunksize]) << "task " << task;
  }
  EXPECT_TRUE(InChunksOf(ChunksRunAt(kChunksize), kChunksize));
  const std::set<std::pair<int64_t, int64_t>> one_by_one = ChunksRunAt(1);
  EXPECT_EQ(one_by_one.size(), 100u);
  EXPECT_FALSE(InChunksOf(one_by_one, kChunksize)) << "the check must reject tasks sent one by one";
}

}  // namespace
}  // namespace mp
