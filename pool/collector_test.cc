// Who collects results (internal/pool_core.h): a caller waiting in Map, Starmap or Apply,
// or in Get() on an ApplyAsync or MapAsync result, takes its results off the queue itself
// while nobody else collects. These tests cover what that must not change: callbacks run
// on the manager's thread, a worker dying, Terminate() or the pool's end ends the wait as
// before, and callers waiting together all get their results. And what it gives: a Get()
// returns while the manager is busy in a slow callback.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/event.h"
#include "ipc/shared_value.h"
#include "base/put_bug_back.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "process/testing/counterfactual.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;

constexpr absl::Duration kGenerous = absl::Seconds(120);

int Triple(int x) { return 3 * x; }
MP_POOL_TASK(Triple);

// Records its worker's pid, says it started, and returns once `release` is set (or
// never, if it is not).
int HoldUntilReleased(std::string pid_name, std::string started_name, std::string release_name) {
  absl::StatusOr<RawSharedValue<int32_t>> pid = RawSharedValue<int32_t>::Attach(pid_name);
  absl::StatusOr<Event> started = Event::Attach(started_name);
  absl::StatusOr<Event> release = Event::Attach(release_name);
  if (!pid.ok() || !started.ok() || !release.ok()) return -1;
  std::atomic_ref<int32_t>(**pid).store(getpid());
  started->Set();
  while (!release->Wait(kGenerous).ok()) {
  }
  return 1;
}
MP_POOL_TASK(HoldUntilReleased);

class CollectorTest : public test::IpcLeakCheckedTest {
 protected:
  // The pool and its helpers are made after the leak check's SetUp() and ended before
  // its TearDown(), so that what they leave behind is checked.
  void SetUp() override {
    test::IpcLeakCheckedTest::SetUp();
    pool_ = Pool::Create({.workers = 2});
    held_pid_ = RawSharedValue<int32_t>::Create();
    started_ = Event::Create();
    release_ = Event::Create();
    ASSERT_THAT(pool_, IsOk());
    ASSERT_THAT(held_pid_, IsOk());
    ASSERT_THAT(started_, IsOk());
    ASSERT_THAT(release_, IsOk());
  }
  void TearDown() override {
    if (release_.ok()) release_->Set();
    if (waiter_.joinable()) waiter_.join();
    pool_ = absl::CancelledError("ended");
    held_pid_ = absl::CancelledError("ended");
    started_ = absl::CancelledError("ended");
    release_ = absl::CancelledError("ended");
    test::IpcLeakCheckedTest::TearDown();
  }

  // Starts a thread waiting in Apply() on a task that holds its worker until released;
  // returns once that task runs, so the thread is then waiting (and collecting).
  void StartHeldApply() {
    waiter_ = std::thread([this] {
      waiter_id_ = std::this_thread::get_id();
      held_result_ = pool_->Apply(HoldUntilReleased, held_pid_->name(), started_->name(),
                                  release_->name());
    });
    ASSERT_THAT(started_->Wait(kGenerous), IsOk());
  }
  // The same with ApplyAsync() here and Get() in the thread: it waits, and collects if
  // it got there before the manager.
  void StartHeldApplyAsync() {
    absl::StatusOr<AsyncResult<int>> held = pool_->ApplyAsync(
        HoldUntilReleased, held_pid_->name(), started_->name(), release_->name());
    ASSERT_THAT(held, IsOk());
    waiter_ = std::thread([this, held = *std::move(held)] {
      waiter_id_ = std::this_thread::get_id();
      held_result_ = held.Get(kGenerous);
    });
    ASSERT_THAT(started_->Wait(kGenerous), IsOk());
  }
  absl::StatusOr<int> FinishHeldApply() {
    waiter_.join();
    return held_result_;
  }
  pid_t HeldWorker() const { return std::atomic_ref<int32_t>(**held_pid_).load(); }

  absl::StatusOr<Pool> pool_ = absl::UnknownError("not made yet");
  absl::StatusOr<RawSharedValue<int32_t>> held_pid_ = absl::UnknownError("not made yet");
  absl::StatusOr<Event> started_ = absl::UnknownError("not made yet");
  absl::StatusOr<Event> release_ = absl::UnknownError("not made yet");
  std::thread waiter_;
  std::thread::id waiter_id_;
  absl::StatusOr<int> held_result_ = absl::UnknownError("not run");
};

// Passes when another job's callback, whose result the waiting thread collected, runs on
// the pool's manager thread: neither the waiting thread nor the one that submitted it.
TEST_F(CollectorTest, AnotherJobsCallbackNeverRunsOnAWaitingCallersThread) {
  StartHeldApply();
  std::promise<std::thread::id> callback_thread;
  absl::StatusOr<AsyncResult<int>> tripled = pool_->ApplyAsyncWithCallbacks(
      {.on_success = [&](const int&) { callback_thread.set_value(std::this_thread::get_id()); }},
      Triple, 7);
  ASSERT_THAT(tripled, IsOk());
  EXPECT_THAT(tripled->Get(kGenerous), IsOkAndHolds(21));
  std::future<std::thread::id> ran_on = callback_thread.get_future();
  ASSERT_EQ(ran_on.wait_for(absl::ToChronoSeconds(kGenerous)), std::future_status::ready);
  const std::thread::id callback_id = ran_on.get();
  release_->Set();
  EXPECT_THAT(FinishHeldApply(), IsOkAndHolds(1));
  EXPECT_NE(callback_id, waiter_id_);
  EXPECT_NE(callback_id, std::this_thread::get_id());
}

// Passes when the call a thread is waiting in fails, naming SIGKILL, once its worker is
// killed, and the pool goes on with a new worker.
TEST_F(CollectorTest, AWorkerKilledWhileItsCallerWaitsFailsThatCall) {
  StartHeldApply();
  const pid_t victim = HeldWorker();
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  EXPECT_THAT(FinishHeldApply(),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr(absl::StrCat("worker ", victim, " was killed by SIGKILL"))));
  EXPECT_THAT(pool_->Map(Triple, std::vector<int>{1, 2}), IsOkAndHolds(std::vector<int>{3, 6}));
  for (pid_t pid : pool_->WorkerPids()) EXPECT_NE(pid, victim);
}

// Passes when Terminate() from another thread ends the call a thread is waiting in,
// with Cancelled.
TEST_F(CollectorTest, TerminateEndsACallAnotherThreadIsWaitingIn) {
  StartHeldApply();
  pool_->Terminate();
  EXPECT_THAT(FinishHeldApply(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(pool_->Join(), IsOk());
}

// The same three for a thread waiting in Get() on an ApplyAsync result.
TEST_F(CollectorTest, AWorkerKilledWhileAGetWaitsFailsThatResult) {
  StartHeldApplyAsync();
  const pid_t victim = HeldWorker();
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  EXPECT_THAT(FinishHeldApply(),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr(absl::StrCat("worker ", victim, " was killed by SIGKILL"))));
  EXPECT_THAT(pool_->Map(Triple, std::vector<int>{1, 2}), IsOkAndHolds(std::vector<int>{3, 6}));
}

TEST_F(CollectorTest, TerminateEndsAGetAnotherThreadIsWaitingIn) {
  StartHeldApplyAsync();
  pool_->Terminate();
  EXPECT_THAT(FinishHeldApply(), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(pool_->Join(), IsOk());
}

// Passes when the pool's end, while another thread waits in Get() on one of its results,
// ends that wait with Cancelled; the result outlives the pool (ASan checks that nothing
// reaches the pool after it is gone).
TEST_F(CollectorTest, ThePoolsEndEndsAGetAnotherThreadIsWaitingIn) {
  StartHeldApplyAsync();
  pool_ = absl::CancelledError("ended");
  EXPECT_THAT(FinishHeldApply(), StatusIs(absl::StatusCode::kCancelled));
}

// Passes when Get() returns while the manager is busy in another job's slow callback:
// the waiting thread collects its result itself. (Python's Pool: its one result thread
// runs the callbacks, so every result waits for the slowest of them.)
TEST_F(CollectorTest, AGetReturnsWhileTheManagerIsInAnotherJobsSlowCallback) {
  std::promise<void> in_callback;
  absl::StatusOr<Event> leave_callback = Event::Create();
  ASSERT_THAT(leave_callback, IsOk());
  // Its task waits until ApplyAsync has returned. (A result filed while its own
  // submission is still under way leaves the manager holding the queue through the
  // callback: then this Get() waits for it, as it would in Python.)
  absl::StatusOr<AsyncResult<int>> slow = pool_->ApplyAsyncWithCallbacks(
      {.on_success = [&](const int&) {
        in_callback.set_value();
        (void)leave_callback->Wait(kGenerous);
      }},
      HoldUntilReleased, held_pid_->name(), started_->name(), release_->name());
  ASSERT_THAT(slow, IsOk());
  release_->Set();
  std::future<void> callback_started = in_callback.get_future();
  ASSERT_EQ(callback_started.wait_for(absl::ToChronoSeconds(kGenerous)), std::future_status::ready);

  absl::StatusOr<AsyncResult<int>> quick = pool_->ApplyAsync(Triple, 2);
  ASSERT_THAT(quick, IsOk());
  // (Bounded: if only the manager collected, this would wait for the callback to end.)
  EXPECT_THAT(quick->Get(internal::BoundOnWaits(kGenerous)), IsOkAndHolds(6));
  leave_callback->Set();
  EXPECT_THAT(slow->Get(kGenerous), IsOkAndHolds(1));
}

TEST_F(CollectorTest, WaitersThatNeverCollectFailTheSlowCallbackTest) {
  EXPECT_THAT(test::FailsWithBugPutBack("CollectorTest.AGetReturnsWhileTheManagerIsInAnotherJobsSlowCallback",
                                        "waiters_never_collect"),
              IsOk());
}

// Passes when threads that wait in Map, Apply and Get() while others' MapAsync calls are
// in flight all get every result right: whoever collects files everyone's.
TEST_F(CollectorTest, CallersWaitingTogetherAllGetTheirResults) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 100;
  std::atomic<int> wrong = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<int> inputs(16 + t);
      for (size_t i = 0; i < inputs.size(); ++i) inputs[i] = static_cast<int>(i) + t;
      std::vector<int> expected;
      for (int input : inputs) expected.push_back(3 * input);
      for (int round = 0; round < kRounds; ++round) {
        absl::StatusOr<MapResult<int>> in_flight = pool_->MapAsync(Triple, inputs, {.chunksize = 3});
        if (pool_->Map(Triple, inputs).value_or(std::vector<int>{}) != expected) ++wrong;
        if (pool_->Apply(Triple, round).value_or(-1) != 3 * round) ++wrong;
        absl::StatusOr<AsyncResult<int>> one = pool_->ApplyAsync(Triple, round + t);
        if (!one.ok() || one->Get(kGenerous).value_or(-1) != 3 * (round + t)) ++wrong;
        if (!in_flight.ok() || in_flight->Get(kGenerous).value_or(std::vector<int>{}) != expected) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace mp
