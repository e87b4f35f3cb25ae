// Proves the claims of this lesson's README, one test per claim.

#include <fcntl.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/process.h"
#include "process/testing/leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

int setting = 0;

int ReturnSetting() { return setting; }
MP_REGISTER_TASK(ReturnSetting);

// 0 if `fd` is open in this process, 1 if not.
int DescriptorOpen(int fd) { return fcntl(fd, F_GETFD) != -1 ? 0 : 1; }
MP_REGISTER_TASK(DescriptorOpen);

std::mutex held_by_thread;

// 0 if the lock is free in this process, 1 if someone holds it.
int LockFree() {
  if (!held_by_thread.try_lock()) return 1;  // try_lock: lock() would wait forever
  held_by_thread.unlock();
  return 0;
}
MP_REGISTER_TASK(LockFree);

// Starts a child with `method` that runs `task`, and returns its exit code.
template <typename F, typename... Args>
std::optional<int> RunChild(StartMethod method, F* task, Args... args) {
  Process child({.start_method = method}, task, args...);
  if (!child.Start().ok() || !child.Join().ok()) return std::nullopt;
  return child.exit_code();
}

// Holds `held_by_thread` on a second thread for as long as it exists.
class LockHolder {
 public:
  LockHolder() : thread_([this] {
    std::lock_guard<std::mutex> hold(held_by_thread);
    taken_.set_value();
    release_.get_future().wait();
  }) {
    taken_.get_future().wait();
  }
  ~LockHolder() {
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> taken_;
  std::promise<void> release_;
  std::thread thread_;
};

class StartMethodsTest : public test::LeakCheckedTest {
 protected:
  void TearDown() override {
    setting = 0;
    LeakCheckedTest::TearDown();
  }
};

// Claim 1: a forked child is a copy of its parent at the moment of Start(): it sees the
// parent's memory as it was then.
TEST_F(StartMethodsTest, AForkedChildSeesTheParentsMemory) {
  setting = 42;
  EXPECT_THAT(RunChild(StartMethod::kFork, ReturnSetting), Optional(42));
}

// Claim 2: a spawned child is a fresh run of the program: it sees the program's initial
// state, not what the parent changed.
TEST_F(StartMethodsTest, ASpawnedChildStartsFromTheProgramsInitialState) {
  setting = 42;
  EXPECT_THAT(RunChild(StartMethod::kSpawn, ReturnSetting), Optional(0));
}

// Claim 3: a forkserver child is a copy of the server, which started before the parent
// changed anything.
TEST_F(StartMethodsTest, AForkServerChildSeesTheServersStateFromWhenItStarted) {
  ASSERT_THAT(StartForkServer(), IsOk());
  setting = 42;
  EXPECT_THAT(RunChild(StartMethod::kForkServer, ReturnSetting), Optional(0));
}

// Claim 4: a lock another thread held at fork() time is held forever in the forked child
// (its holder was not copied); spawn and forkserver children start with it free.
TEST_F(StartMethodsTest, ALockAnotherThreadHeldStaysHeldInAForkedChildOnly) {
  ASSERT_THAT(StartForkServer(), IsOk());  // before the second thread exists, as advised
  LockHolder holder;
  EXPECT_THAT(RunChild(StartMethod::kFork, LockFree), Optional(1));
  EXPECT_THAT(RunChild(StartMethod::kSpawn, LockFree), Optional(0));
  EXPECT_THAT(RunChild(StartMethod::kForkServer, LockFree), Optional(0));
}

// Claim 5: a forked child inherits every open descriptor; a spawned or forkserver child
// only stdin, stdout and stderr.
TEST_F(StartMethodsTest, OnlyAForkedChildInheritsTheParentsDescriptors) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);  // deliberately not close-on-exec
  EXPECT_THAT(RunChild(StartMethod::kFork, DescriptorOpen, fds[0]), Optional(0));
  EXPECT_THAT(RunChild(StartMethod::kSpawn, DescriptorOpen, fds[0]), Optional(1));
  EXPECT_THAT(RunChild(StartMethod::kForkServer, DescriptorOpen, fds[0]), Optional(1));
  close(fds[0]);
  close(fds[1]);
}

// Claim 6: fork runs any callable; spawn and forkserver need a registered function, and
// say so instead of failing in the child.
TEST_F(StartMethodsTest, SpawnAndForkServerRefuseALambdaWithAHint) {
  Process forked([] { return 3; });
  ASSERT_THAT(forked.Start(), IsOk());
  ASSERT_THAT(forked.Join(), IsOk());
  EXPECT_THAT(forked.exit_code(), Optional(3));
  for (StartMethod method : {StartMethod::kSpawn, StartMethod::kForkServer}) {
    Process lambda({.start_method = method}, [] { return 3; });
    EXPECT_THAT(lambda.Start(),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("MP_REGISTER_TASK")));
  }
}

}  // namespace
}  // namespace mp
