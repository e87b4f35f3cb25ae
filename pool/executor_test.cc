// concurrent.futures' behaviour, after CPython's test_concurrent_futures: results and
// errors through futures, cancelling a call not yet handed over, as_completed, wait with
// each return_when, shutdown with cancel_futures, callbacks, and (unlike Python) an
// executor that survives a worker's death.

#include "pool/executor.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/event.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool_task.h"
#include "pool/task_exception.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kGenerous = absl::Seconds(120);

int64_t Square(int64_t x) { return x * x; }
MP_POOL_TASK(Square);

int64_t Negative(int64_t x) {
  if (x >= 0) throw std::invalid_argument("not negative");
  return x;
}
MP_POOL_TASK(Negative);

// Made before each executor, so that its workers inherit it.
Event* go = nullptr;
int64_t WaitForGo(int64_t x) { return go->Wait(kGenerous).ok() ? x : -1; }
MP_POOL_TASK(WaitForGo);

int64_t DieBySigkill(int64_t) {
  raise(SIGKILL);
  return 0;
}
MP_POOL_TASK(DieBySigkill);

// Waits (a condition, with a deadline) until the executor has handed `future` over.
bool UntilHandedOver(const Future<int64_t>& future) {
  const absl::Time deadline = absl::Now() + kGenerous;
  while (!future.Running() && !future.Done() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return future.Running() || future.Done();
}

template <typename E>
class ExecutorTest : public test::IpcLeakCheckedTest {
 protected:
  void SetUp() override {
    absl::StatusOr<Event> event = Event::Create();
    ASSERT_THAT(event, IsOk());
    event_.emplace(*std::move(event));
    go = &*event_;
  }
  void TearDown() override {
    if (event_) event_->Set();  // nothing may wait for it past the test
    go = nullptr;
  }
  absl::StatusOr<E> Make(int workers) { return E::Create({.workers = workers}); }

  std::optional<Event> event_;
};

using Executors = ::testing::Types<ProcessPoolExecutor, ThreadPoolExecutor>;
TYPED_TEST_SUITE(ExecutorTest, Executors);

TYPED_TEST(ExecutorTest, SubmitGivesAFutureOfTheResultAndTheTasksErrorKeepsItsType) {
  absl::StatusOr<TypeParam> executor = this->Make(2);
  ASSERT_THAT(executor, IsOk());
  auto squared = executor->Submit(Square, int64_t{7});
  ASSERT_THAT(squared, IsOk());
  EXPECT_THAT(squared->Result(kGenerous), IsOkAndHolds(49));
  EXPECT_TRUE(squared->Done());
  EXPECT_FALSE(squared->Running());
  EXPECT_FALSE(squared->Cancel()) << "a finished call cannot be cancelled";
  EXPECT_THAT(squared->Exception(), IsOk());

  auto failed = executor->Submit(Negative, int64_t{1});
  ASSERT_THAT(failed, IsOk());
  EXPECT_THAT(failed->Result(kGenerous), StatusIs(absl::StatusCode::kInvalidArgument));
  std::optional<TaskException> thrown = TaskExceptionOf(failed->Exception());
  ASSERT_TRUE(thrown.has_value());
  EXPECT_EQ(thrown->type, "std::invalid_argument");
}

// Passes when a call still waiting in the executor is cancelled, and one handed to a
// worker is not: one worker, so workers + 1 = 2 calls are handed over at most.
TYPED_TEST(ExecutorTest, CancelTakesBackOnlyACallNotYetHandedOver) {
  absl::StatusOr<TypeParam> executor = this->Make(1);
  ASSERT_THAT(executor, IsOk());
  std::vector<Future<int64_t>> futures;
  for (int64_t i = 0; i < 4; ++i) {
    auto future = executor->Submit(WaitForGo, i);
    ASSERT_THAT(future, IsOk());
    futures.push_back(*std::move(future));
  }
  ASSERT_TRUE(UntilHandedOver(futures[1]));  // and so 2 and 3 wait in the executor
  EXPECT_TRUE(futures[3].Cancel());
  EXPECT_TRUE(futures[3].Cancelled());
  EXPECT_TRUE(futures[3].Done());
  EXPECT_THAT(futures[3].Result(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(futures[0].Result(absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));
  go->Set();
  for (int64_t i = 0; i < 3; ++i) EXPECT_THAT(futures[i].Result(kGenerous), IsOkAndHolds(i));
  EXPECT_FALSE(futures[0].Cancel());
}

// Passes when as_completed gives the quick call before the one still waiting, then it.
TYPED_TEST(ExecutorTest, AsCompletedGivesTheFuturesInTheOrderTheyFinish) {
  absl::StatusOr<TypeParam> executor = this->Make(2);
  ASSERT_THAT(executor, IsOk());
  std::vector<Future<int64_t>> futures = {*executor->Submit(WaitForGo, int64_t{1}),
                                          *executor->Submit(Square, int64_t{3})};
  AsCompleted<int64_t> in_order(futures);
  EXPECT_THAT(in_order.Next(kGenerous), IsOkAndHolds(1u));
  EXPECT_THAT(in_order.Next(absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));
  go->Set();
  EXPECT_THAT(in_order.Next(kGenerous), IsOkAndHolds(0u));
  EXPECT_THAT(in_order.Next(), StatusIs(absl::StatusCode::kOutOfRange));
}

// Passes when wait() returns for FIRST_COMPLETED and FIRST_EXCEPTION while a call still
// waits, and ALL_COMPLETED only with every call done (or its timeout).
TYPED_TEST(ExecutorTest, WaitForReturnsWhenItsConditionHolds) {
  absl::StatusOr<TypeParam> executor = this->Make(2);
  ASSERT_THAT(executor, IsOk());
  std::vector<Future<int64_t>> futures = {*executor->Submit(WaitForGo, int64_t{1}),
                                          *executor->Submit(Negative, int64_t{2})};
  DoneAndNotDone first = WaitFor(futures, kGenerous, ReturnWhen::kFirstCompleted);
  EXPECT_THAT(first.done, ElementsAre(1u));
  EXPECT_THAT(first.not_done, ElementsAre(0u));
  DoneAndNotDone exception = WaitFor(futures, kGenerous, ReturnWhen::kFirstException);
  EXPECT_THAT(exception.done, ElementsAre(1u));
  DoneAndNotDone timed_out = WaitFor(futures, absl::Milliseconds(1), ReturnWhen::kAllCompleted);
  EXPECT_THAT(timed_out.not_done, ElementsAre(0u));
  go->Set();
  DoneAndNotDone all = WaitFor(futures, kGenerous, ReturnWhen::kAllCompleted);
  EXPECT_EQ(all.done.size(), 2u);
  EXPECT_TRUE(all.not_done.empty());
}

// Passes when Shutdown(cancel_futures) cancels the calls not handed over (one worker:
// two are), lets those finish, and refuses new ones.
TYPED_TEST(ExecutorTest, ShutdownCancelsWhatWaitsAndRefusesNewWork) {
  absl::StatusOr<TypeParam> executor = this->Make(1);
  ASSERT_THAT(executor, IsOk());
  std::vector<Future<int64_t>> futures;
  for (int64_t i = 0; i < 4; ++i) futures.push_back(*executor->Submit(WaitForGo, i));
  ASSERT_TRUE(UntilHandedOver(futures[1]));
  executor->Shutdown(/*wait=*/false, /*cancel_futures=*/true);
  EXPECT_THAT(executor->Submit(Square, int64_t{2}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Shutdown")));
  EXPECT_TRUE(futures[2].Cancelled());
  EXPECT_TRUE(futures[3].Cancelled());
  go->Set();
  executor->Shutdown(/*wait=*/true);
  EXPECT_THAT(futures[0].Result(), IsOkAndHolds(0));
  EXPECT_THAT(futures[1].Result(), IsOkAndHolds(1));
}

// Passes when a callback runs once the call is done, and at once when added after.
TYPED_TEST(ExecutorTest, DoneCallbacksRunOnceTheCallIsDone) {
  absl::StatusOr<TypeParam> executor = this->Make(1);
  ASSERT_THAT(executor, IsOk());
  auto future = executor->Submit(WaitForGo, int64_t{5});
  ASSERT_THAT(future, IsOk());
  std::atomic<int64_t> seen{0};
  future->AddDoneCallback([&](const Future<int64_t>& done) { seen = *done.Result(); });
  go->Set();
  ASSERT_THAT(future->Result(kGenerous), IsOkAndHolds(5));
  std::atomic<int64_t> late{0};
  future->AddDoneCallback([&](const Future<int64_t>& done) { late = *done.Result(); });
  EXPECT_EQ(late.load(), 5) << "added after it was done: run at once";
  executor->Shutdown();
  EXPECT_EQ(seen.load(), 5);
}

// Passes when the executor runs calls and keeps their errors with every start method.
TEST(ProcessPoolExecutorTest, EveryStartMethodRunsTheCalls) {
  for (StartMethod method : {StartMethod::kFork, StartMethod::kSpawn, StartMethod::kForkServer}) {
    SCOPED_TRACE(StartMethodName(method));
    absl::StatusOr<ProcessPoolExecutor> executor =
        ProcessPoolExecutor::Create({.workers = 2, .start_method = method});
    ASSERT_THAT(executor, IsOk());
    auto squared = executor->Submit(Square, int64_t{6});
    auto failed = executor->Submit(Negative, int64_t{6});
    ASSERT_THAT(squared, IsOk());
    ASSERT_THAT(failed, IsOk());
    EXPECT_THAT(squared->Result(kGenerous), IsOkAndHolds(36));
    EXPECT_THAT(failed->Result(kGenerous), StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

// Unlike Python's BrokenProcessPool: a worker that dies fails only its own future, naming
// how it died, and the executor goes on.
TEST(ProcessPoolExecutorTest, AWorkerThatDiesFailsOnlyItsFuture) {
  absl::StatusOr<ProcessPoolExecutor> executor = ProcessPoolExecutor::Create({.workers = 2});
  ASSERT_THAT(executor, IsOk());
  auto died = executor->Submit(DieBySigkill, int64_t{0});
  ASSERT_THAT(died, IsOk());
  EXPECT_THAT(died->Result(kGenerous), StatusIs(absl::StatusCode::kAborted, HasSubstr("SIGKILL")));
  auto after = executor->Submit(Square, int64_t{3});
  ASSERT_THAT(after, IsOk());
  EXPECT_THAT(after->Result(kGenerous), IsOkAndHolds(9));
}

}  // namespace
}  // namespace mp
