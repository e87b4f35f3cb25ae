#include "pool/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/barrier.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kGenerous = absl::Seconds(60);

TEST(ThreadPoolTest, TheSameCallsAsPoolAcceptClosures) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 4});
  ASSERT_THAT(pool, IsOk());
  const int factor = 2;
  auto times = [&](int x) { return factor * x; };
  EXPECT_THAT(pool->Map(times, std::vector<int>{1, 2, 3, 4, 5}),
              IsOkAndHolds(ElementsAre(2, 4, 6, 8, 10)));
  EXPECT_THAT(pool->Starmap([](int a, int b) { return a + b; },
                            std::vector<std::tuple<int, int>>{{1, 2}, {3, 4}}),
              IsOkAndHolds(ElementsAre(3, 7)));
  absl::StatusOr<MapResult<int>> async = pool->StarmapAsync(
      [](int a, int b) { return a - b; }, std::vector<std::tuple<int, int>>{{5, 2}, {3, 4}});
  ASSERT_THAT(async, IsOk());
  EXPECT_THAT(async->Get(absl::Seconds(60)), IsOkAndHolds(ElementsAre(3, -1)));
  EXPECT_THAT(pool->Apply([](int a, int b) { return a * b; }, 6, 7), IsOkAndHolds(42));

  absl::StatusOr<ResultStream<int>> stream = pool->ImapUnordered(times, std::vector<int>{1, 2, 3});
  ASSERT_THAT(stream, IsOk());
  std::vector<int> arrived;
  for (int i = 0; i < 3; ++i) arrived.push_back(stream->Next(kGenerous).value_or(-1));
  std::sort(arrived.begin(), arrived.end());
  EXPECT_THAT(arrived, ElementsAre(2, 4, 6));
  EXPECT_THAT(stream->Next(), StatusIs(absl::StatusCode::kOutOfRange));
}

// Passes when 4 tasks meet at a barrier of 4: only possible if 4 threads run them at once.
TEST(ThreadPoolTest, TasksRunOnSeveralThreadsAtOnce) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 4});
  absl::StatusOr<Barrier> barrier = Barrier::Create(4);  // works between threads too
  ASSERT_THAT(pool, IsOk());
  ASSERT_THAT(barrier, IsOk());
  absl::StatusOr<std::vector<int>> arrivals = pool->Map(
      [&](int) { return barrier->Wait(kGenerous).value_or(-1); }, std::vector<int>(4),
      {.chunksize = 1});
  ASSERT_THAT(arrivals, IsOk());
  std::sort(arrivals->begin(), arrivals->end());
  EXPECT_THAT(*arrivals, ElementsAre(0, 1, 2, 3));
}

// Nothing leaves the process, so results need not be encodable; bools are not packed.
TEST(ThreadPoolTest, ResultsOfAnyCopyableTypeIncludingBool) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  auto boxed = pool->Map([](int x) { return std::make_shared<int>(x); }, std::vector<int>{4, 5},
                         {.chunksize = 1});
  ASSERT_THAT(boxed, IsOk());
  ASSERT_EQ(boxed->size(), 2u);
  EXPECT_EQ(*(*boxed)[0], 4);
  EXPECT_EQ(*(*boxed)[1], 5);
  std::vector<int> numbers(101);
  for (int i = 0; i < 101; ++i) numbers[i] = i;
  absl::StatusOr<std::vector<bool>> even =
      pool->Map([](int x) { return x % 2 == 0; }, numbers, {.chunksize = 7});
  ASSERT_THAT(even, IsOk());
  ASSERT_EQ(even->size(), numbers.size());
  for (int i = 0; i < 101; ++i) EXPECT_EQ((*even)[i], i % 2 == 0) << i;
}

TEST(ThreadPoolTest, ATaskErrorOrExceptionIsThatTasksResultOnly) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  auto picky = [](int x) -> absl::StatusOr<int> {
    if (x == 3) return absl::InvalidArgumentError("three is not allowed");
    if (x == 4) throw std::runtime_error("four is worse");
    return x;
  };
  absl::StatusOr<MapResult<int>> async = pool->MapAsync(picky, std::vector<int>{1, 2, 3, 4, 5});
  ASSERT_THAT(async, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int>>> each = async->GetEach(kGenerous);
  ASSERT_THAT(each, IsOk());
  EXPECT_THAT((*each)[0], IsOkAndHolds(1));
  EXPECT_THAT((*each)[2], StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("task 2 failed")));
  EXPECT_THAT((*each)[3], StatusIs(absl::StatusCode::kUnknown, HasSubstr("four is worse")));
  EXPECT_THAT(async->Get(), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Tasks of one chunk run one after another in one loop: after one throws, the rest of the
// chunk still runs, each with its own result (two throws in a row, then an error).
TEST(ThreadPoolTest, AfterATaskThrowsTheRestOfItsChunkStillRuns) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  auto picky = [](int x) -> absl::StatusOr<int> {
    if (x == 3 || x == 4) throw std::runtime_error("no threes or fours");
    if (x == 6) return absl::OutOfRangeError("six is too many");
    return 10 * x;
  };
  std::vector<int> inputs(10);
  std::iota(inputs.begin(), inputs.end(), 0);
  absl::StatusOr<MapResult<int>> async = pool->MapAsync(picky, inputs, {.chunksize = 10});
  ASSERT_THAT(async, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int>>> each = async->GetEach(kGenerous);
  ASSERT_THAT(each, IsOk());
  for (int x : inputs) {
    if (x == 3 || x == 4) {
      EXPECT_THAT((*each)[x], StatusIs(absl::StatusCode::kUnknown,
                                       HasSubstr(absl::StrCat("task ", x, " failed"))));
    } else if (x == 6) {
      EXPECT_THAT((*each)[x], StatusIs(absl::StatusCode::kOutOfRange));
    } else {
      EXPECT_THAT((*each)[x], IsOkAndHolds(10 * x)) << x;
    }
  }
  EXPECT_THAT(pool->Map(picky, inputs), StatusIs(absl::StatusCode::kUnknown, HasSubstr("task 3")));
}

TEST(ThreadPoolTest, CloseJoinTerminateAndCallbacks) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Join(), StatusIs(absl::StatusCode::kFailedPrecondition));
  std::atomic<int> sum = 0;
  absl::StatusOr<MapResult<int>> mapped = pool->MapAsync(
      [](int x) { return x; }, std::vector<int>{1, 2, 3}, {},
      {.on_success = [&](const std::vector<int>& values) {
        for (int value : values) sum += value;
      }});
  ASSERT_THAT(mapped, IsOk());
  pool->Close();
  EXPECT_THAT(pool->Apply([] { return 1; }), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(pool->Join(kGenerous), IsOk());
  EXPECT_EQ(sum.load(), 6);

  // Terminate: the task holding the only thread finishes; the one queued is cancelled.
  absl::StatusOr<ThreadPool> busy = ThreadPool::Create({.workers = 1});
  ASSERT_THAT(busy, IsOk());
  absl::Notification started, release;
  absl::StatusOr<AsyncResult<int>> running = busy->ApplyAsync([&] {
    started.Notify();
    release.WaitForNotification();
    return 1;
  });
  absl::StatusOr<AsyncResult<int>> queued = busy->ApplyAsync([] { return 2; });
  ASSERT_THAT(running, IsOk());
  ASSERT_THAT(queued, IsOk());
  started.WaitForNotification();
  std::thread terminator([&] { busy->Terminate(); });
  EXPECT_THAT(queued->Get(kGenerous), StatusIs(absl::StatusCode::kCancelled));
  release.Notify();
  terminator.join();
  EXPECT_THAT(running->Get(kGenerous), IsOkAndHolds(1));
}

}  // namespace
}  // namespace mp
