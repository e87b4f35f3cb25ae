// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with the
// capability attributes that clang's -Wthread-safety reads.
//
// libstdc++'s std::mutex carries no attributes, so clang cannot tell which lock a
// member needs. These wrappers add them and nothing else: the same std::mutex and
// std::condition_variable run underneath, at the same cost. With them, a member declared
// `ABSL_GUARDED_BY(mutex_)` that is read without holding mutex_ is a compile error in
// the thread-safety build (.ci/run; see README.md, "Locks that say what they guard").
//
// Waits are written as loops, `while (!done) changed_.Wait(mutex_);`, rather than with a
// predicate lambda: the analysis checks a lambda's body as a function of its own, which
// holds no lock, so a predicate reading guarded members would not compile.

#ifndef MP_BASE_ANNOTATED_MUTEX_H_
#define MP_BASE_ANNOTATED_MUTEX_H_

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace mp::internal {

// Which thread holds a Mutex, for AssertHeld(): kept in debug builds (the default
// `bazel test`), and nothing at all with -c opt, where even two relaxed stores per lock
// showed on ThreadPool's tiniest tasks (benchmarks/results/design_measurements.md).
#ifdef NDEBUG
struct HolderRecord {
  static constexpr bool kKept = false;
  void Set() {}
  void Clear() {}
  bool IsCallingThread() const { return true; }
};
#else
struct HolderRecord {
  static constexpr bool kKept = true;
  void Set() { holder.store(std::this_thread::get_id(), std::memory_order_relaxed); }
  void Clear() { holder.store(std::thread::id(), std::memory_order_relaxed); }
  // Only a thread's own Set() can make `holder` equal that thread's id, so a relaxed load
  // by the thread itself tells whether it holds the lock.
  bool IsCallingThread() const {
    return holder.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }
  std::atomic<std::thread::id> holder{};
};
#endif

class ABSL_LOCKABLE Mutex {
 public:
  // Whether AssertHeld() checks.
  static constexpr bool kChecksHolder = HolderRecord::kKept;

  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    native_.lock();
    holder_.Set();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    holder_.Clear();
    native_.unlock();
  }

  // For code the analysis cannot follow, such as a lambda that runs under the lock: tells
  // it the lock is held from here on, and, where kChecksHolder, checks that it is (aborts
  // if the calling thread does not hold it).
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {
    if (!holder_.IsCallingThread()) {
      std::fputs("mp::internal::Mutex::AssertHeld: the calling thread does not hold it\n", stderr);
      std::abort();
    }
  }

 private:
  friend class CondVar;
  // For a wait on a std::condition_variable, which unlocks and relocks the native mutex.
  std::unique_lock<std::mutex> Handover() {
    holder_.Clear();
    return std::unique_lock<std::mutex>(native_, std::adopt_lock);
  }
  void TakeBack(std::unique_lock<std::mutex>& lock) {
    lock.release();  // still locked: the caller's MutexLock unlocks it
    holder_.Set();
  }

  std::mutex native_;
  [[no_unique_address]] HolderRecord holder_;
};

// Holds `mutex` for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ABSL_EXCLUSIVE_LOCK_FUNCTION(mutex) : mutex_(mutex) {
    mutex_.Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mutex_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

class CondVar {
 public:
  // Releases `mutex` while it waits for a Signal()/SignalAll() (or a spurious wake-up:
  // call it in a loop that checks what it waits for), and holds it again on return.
  void Wait(Mutex& mutex) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    std::unique_lock<std::mutex> lock = mutex.Handover();
    changed_.wait(lock);
    mutex.TakeBack(lock);
  }
  // Wait() that gives up at `deadline`: false if it passed. An infinite deadline waits
  // like Wait() (absl::Now() + an infinite timeout is one).
  bool WaitUntil(Mutex& mutex, absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) {
    if (deadline == absl::InfiniteFuture()) {
      Wait(mutex);
      return true;
    }
    std::unique_lock<std::mutex> lock = mutex.Handover();
    const absl::Duration left = deadline - absl::Now();
    const bool woken =
        left > absl::ZeroDuration() &&
        changed_.wait_for(lock, absl::ToChronoNanoseconds(left)) == std::cv_status::no_timeout;
    mutex.TakeBack(lock);
    return woken;
  }
  void Signal() { changed_.notify_one(); }
  void SignalAll() { changed_.notify_all(); }

 private:
  std::condition_variable changed_;
};

}  // namespace mp::internal

#endif  // MP_BASE_ANNOTATED_MUTEX_H_
