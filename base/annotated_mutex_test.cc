#include "base/annotated_mutex.h"

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace mp::internal {
namespace {

struct Mailbox {
  Mutex mutex;
  CondVar changed;
  int value ABSL_GUARDED_BY(mutex) = 0;
};

TEST(AnnotatedMutexTest, WaitReleasesTheLockAndHoldsItAgainOnReturn) {
  Mailbox box;
  std::thread writer([&] {
    MutexLock lock(box.mutex);  // only possible while the reader waits
    box.value = 1;
    box.changed.Signal();
  });
  {
    MutexLock lock(box.mutex);
    while (box.value == 0) box.changed.Wait(box.mutex);
    box.mutex.AssertHeld();  // held again: it would abort otherwise
    EXPECT_EQ(box.value, 1);
  }
  writer.join();
}

TEST(AnnotatedMutexTest, WaitUntilAPassedDeadlineReturnsFalseStillHoldingTheLock) {
  Mailbox box;
  MutexLock lock(box.mutex);
  EXPECT_FALSE(box.changed.WaitUntil(box.mutex, absl::Now() - absl::Seconds(1)));
  EXPECT_FALSE(box.changed.WaitUntil(box.mutex, absl::Now() + absl::Milliseconds(1)));
  box.mutex.AssertHeld();
}

TEST(AnnotatedMutexTest, AssertHeldAbortsInAThreadThatDoesNotHoldIt) {
  if (!Mutex::kChecksHolder) GTEST_SKIP() << "AssertHeld() checks only in debug builds";
  Mailbox box;
  EXPECT_DEATH(box.mutex.AssertHeld(), "does not hold it");
  // Held by another thread is not held by this one.
  MutexLock lock(box.mutex);
  EXPECT_DEATH(std::thread([&] { box.mutex.AssertHeld(); }).join(), "does not hold it");
}

TEST(AnnotatedMutexTest, AssertHeldAbortsAfterTheLockIsReleased) {
  if (!Mutex::kChecksHolder) GTEST_SKIP() << "AssertHeld() checks only in debug builds";
  Mailbox box;
  { MutexLock lock(box.mutex); }
  EXPECT_DEATH(box.mutex.AssertHeld(), "does not hold it");
}

}  // namespace
}  // namespace mp::internal
