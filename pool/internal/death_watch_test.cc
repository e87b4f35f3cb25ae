#include "pool/internal/death_watch.h"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/annotated_mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mp::internal {
namespace {

using ::testing::ElementsAre;

// The pids on_death was called with, in order.
class Deaths {
 public:
  void Add(pid_t pid) {
    MutexLock lock(mutex_);
    pids_.push_back(pid);
    changed_.SignalAll();
  }
  // Waits (without a time limit: a death never reported hangs the test) until `pid` is
  // among them, and returns them all.
  std::vector<pid_t> WaitFor(pid_t pid) {
    MutexLock lock(mutex_);
    while (std::find(pids_.begin(), pids_.end(), pid) == pids_.end()) changed_.Wait(mutex_);
    return pids_;
  }

 private:
  Mutex mutex_;
  CondVar changed_;
  std::vector<pid_t> pids_ ABSL_GUARDED_BY(mutex_);
};

// A child that waits until killed.
pid_t StartSleeper() {
  const pid_t pid = fork();
  if (pid == 0) {
    while (true) pause();
  }
  return pid;
}

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

TEST(DeathWatchTest, ReportsEachWatchedProcessThatEnds) {
  Deaths deaths;
  auto watch = DeathWatch::Start([&](pid_t pid) { deaths.Add(pid); });
  ASSERT_TRUE(watch.ok()) << watch.status();
  const pid_t first = StartSleeper();
  const pid_t second = StartSleeper();
  ASSERT_TRUE((*watch)->Watch(first).ok());
  ASSERT_TRUE((*watch)->Watch(second).ok());
  KillAndReap(first);
  EXPECT_THAT(deaths.WaitFor(first), ElementsAre(first));
  KillAndReap(second);
  EXPECT_THAT(deaths.WaitFor(second), ElementsAre(first, second));
}

TEST(DeathWatchTest, AProcessThatEndedBeforeItWasWatchedIsReportedAtOnce) {
  Deaths deaths;
  auto watch = DeathWatch::Start([&](pid_t pid) { deaths.Add(pid); });
  ASSERT_TRUE(watch.ok()) << watch.status();
  const pid_t zombie = fork();
  if (zombie == 0) _exit(0);
  siginfo_t info;
  waitid(P_PID, zombie, &info, WEXITED | WNOWAIT);  // ended, not yet reaped
  ASSERT_TRUE((*watch)->Watch(zombie).ok());
  EXPECT_THAT(deaths.WaitFor(zombie), ElementsAre(zombie));
  int status = 0;
  waitpid(zombie, &status, 0);
}

TEST(DeathWatchTest, AForgottenProcessIsNotReported) {
  Deaths deaths;
  auto watch = DeathWatch::Start([&](pid_t pid) { deaths.Add(pid); });
  ASSERT_TRUE(watch.ok()) << watch.status();
  const pid_t forgotten = StartSleeper();
  const pid_t watched = StartSleeper();
  ASSERT_TRUE((*watch)->Watch(forgotten).ok());
  ASSERT_TRUE((*watch)->Watch(watched).ok());
  (*watch)->Forget(forgotten);
  // `forgotten` ends first: were it still watched, it would be reported before
  // `watched`, or with it.
  KillAndReap(forgotten);
  KillAndReap(watched);
  EXPECT_THAT(deaths.WaitFor(watched), ElementsAre(watched));
}

TEST(DeathWatchTest, AProcessThatCannotBeWatchedIsAnError) {
  auto watch = DeathWatch::Start([](pid_t) {});
  ASSERT_TRUE(watch.ok()) << watch.status();
  int pid_max = 0;
  std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;
  ASSERT_GT(pid_max, 0);
  EXPECT_FALSE((*watch)->Watch(pid_max + 1).ok());  // no such process can exist
}

}  // namespace
}  // namespace mp::internal
