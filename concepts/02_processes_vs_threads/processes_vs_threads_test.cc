// Proves the claims of this lesson's README, one test per claim.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/barrier.h"
#include "ipc/shared_value.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "pool/thread_pool.h"
#include "process/process.h"
#include "process/testing/status_matchers.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr absl::Duration kGenerous = absl::Seconds(30);
constexpr int kWorkers = 4;  // more than this machine's cores is fine: waiting needs no CPU

int counter = 0;  // an ordinary global

[[noreturn]] void Segfault() {
  signal(SIGSEGV, SIG_DFL);
  raise(SIGSEGV);
  std::abort();
}

// A pool task that returns its worker's pid only once `parties` tasks wait at the barrier
// together: all of them must be running at the same moment.
pid_t MeetAtBarrier(std::string barrier_name) {
  absl::StatusOr<Barrier> barrier = Barrier::Attach(barrier_name);
  if (!barrier.ok() || !barrier->Wait(kGenerous).ok()) return -1;
  return getpid();
}
MP_POOL_TASK(MeetAtBarrier);

int Triple(int x) { return 3 * x; }  // deliberately not registered with MP_POOL_TASK

class ProcessesVsThreadsTest : public test::IpcLeakCheckedTest {};

// Claim 1: a child process's write to a global is invisible to its parent.
TEST_F(ProcessesVsThreadsTest, AChildsWriteToAGlobalIsInvisibleToItsParent) {
  counter = 0;
  Process child([] {
    counter = 42;
    return counter == 42 ? 0 : 1;  // the child does see its own write
  });
  ASSERT_THAT(child.Start(), IsOk());
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_THAT(child.exit_code(), Optional(0));
  EXPECT_EQ(counter, 0) << "the child wrote its own copy of the global";
}

// Claim 1: a thread's write to a global is visible to the other threads of its process.
TEST_F(ProcessesVsThreadsTest, AThreadsWriteToAGlobalIsVisibleToTheOtherThreads) {
  counter = 0;
  std::thread thread([] { counter = 42; });
  thread.join();  // join also orders the write before our read
  EXPECT_EQ(counter, 42);
}

// Claim 2: processes share only what they put in shared memory on purpose.
TEST_F(ProcessesVsThreadsTest, ProcessesShareWhatTheyPutInSharedMemory) {
  absl::StatusOr<SharedValue<int64_t>> shared = SharedValue<int64_t>::Create(0);
  ASSERT_THAT(shared, IsOk());
  Process child([&shared] { return shared->Store(42).ok() ? 0 : 1; });
  ASSERT_THAT(child.Start(), IsOk());
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_THAT(child.exit_code(), Optional(0));
  EXPECT_THAT(shared->Load(), IsOkAndHolds(42));
}

// Claim 3: a child that crashes leaves its parent running.
TEST_F(ProcessesVsThreadsTest, ACrashingChildLeavesTheParentRunning) {
  Process crasher([] { Segfault(); });
  ASSERT_THAT(crasher.Start(), IsOk());
  ASSERT_THAT(crasher.Join(), IsOk());
  EXPECT_THAT(crasher.exit_code(), Optional(-SIGSEGV));
  // Still here, and still able to start processes.
  Process after([] { return 5; });
  ASSERT_THAT(after.Start(), IsOk());
  ASSERT_THAT(after.Join(), IsOk());
  EXPECT_THAT(after.exit_code(), Optional(5));
}

// Claim 3: a thread that crashes takes its whole process down, every thread with it.
TEST(ProcessesVsThreadsDeathTest, ACrashingThreadTakesTheWholeProcessDown) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::thread crasher(Segfault);
        crasher.join();
        std::_Exit(0);  // not reached
      },
      ::testing::KilledBySignal(SIGSEGV), "");
}

// Claim 4: N worker processes compute at the same time (N meet at a barrier of N).
TEST_F(ProcessesVsThreadsTest, WorkerProcessesRunAtTheSameTime) {
  absl::StatusOr<Barrier> barrier = Barrier::Create(kWorkers);
  ASSERT_THAT(barrier, IsOk());
  absl::StatusOr<Pool> pool = Pool::Create({.workers = kWorkers});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<std::vector<pid_t>> pids =
      pool->Map(MeetAtBarrier, std::vector<std::string>(kWorkers, barrier->name()), {.chunksize = 1});
  ASSERT_THAT(pids, IsOk());
  EXPECT_EQ(std::set<pid_t>(pids->begin(), pids->end()).size(), static_cast<size_t>(kWorkers));
  EXPECT_EQ(std::count(pids->begin(), pids->end(), -1), 0) << "a task timed out at the barrier";
}

// Claim 4: N worker threads compute at the same time too.
TEST_F(ProcessesVsThreadsTest, WorkerThreadsRunAtTheSameTime) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = kWorkers});
  ASSERT_THAT(pool, IsOk());
  std::barrier meeting(kWorkers);
  absl::StatusOr<std::vector<std::thread::id>> threads =
      pool->Map([&meeting](int) {
        meeting.arrive_and_wait();  // returns only when all kWorkers tasks are here
        return std::this_thread::get_id();
      },
                std::vector<int>(kWorkers, 0), {.chunksize = 1});
  ASSERT_THAT(threads, IsOk());
  EXPECT_EQ(std::set<std::thread::id>(threads->begin(), threads->end()).size(),
            static_cast<size_t>(kWorkers));
}

// Claim 5: threads that must hold one global lock to compute (CPython's GIL) compute one
// at a time, even when all of them are ready at once.
TEST_F(ProcessesVsThreadsTest, UnderAGlobalLockOnlyOneThreadComputesAtATime) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = kWorkers});
  ASSERT_THAT(pool, IsOk());
  std::mutex global_interpreter_lock;
  std::barrier all_ready(kWorkers);
  std::atomic<int> computing{0};
  std::atomic<int> most_computing_at_once{0};
  absl::StatusOr<std::vector<int64_t>> sums = pool->Map(
      [&](int64_t n) {
        all_ready.arrive_and_wait();  // every thread wants the lock at the same moment
        std::lock_guard<std::mutex> held(global_interpreter_lock);
        const int now = ++computing;
        int most = most_computing_at_once.load();
        while (now > most && !most_computing_at_once.compare_exchange_weak(most, now)) {
        }
        int64_t sum = 0;
        for (int64_t i = 0; i < n; ++i) sum += i % 7;  // the "computation"
        --computing;
        return sum;
      },
      std::vector<int64_t>(kWorkers, 1'000'000), {.chunksize = 1});
  ASSERT_THAT(sums, IsOk());
  EXPECT_EQ(most_computing_at_once.load(), 1);
}

// Claim 6: a ThreadPool runs any closure; a process pool runs only functions it can find
// by name in the worker (registered), and says so instead of crashing.
TEST_F(ProcessesVsThreadsTest, AThreadPoolRunsClosuresAProcessPoolNeedsRegisteredFunctions) {
  absl::StatusOr<ThreadPool> threads = ThreadPool::Create({.workers = 2});
  ASSERT_THAT(threads, IsOk());
  const int factor = 3;
  EXPECT_THAT(threads->Map([factor](int x) { return factor * x; }, std::vector<int>{1, 2}),
              IsOkAndHolds(ElementsAre(3, 6)));

  absl::StatusOr<Pool> processes = Pool::Create({.workers = 2});
  ASSERT_THAT(processes, IsOk());
  EXPECT_THAT(processes->Map(Triple, std::vector<int>{1, 2}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("MP_POOL_TASK")));
}

}  // namespace
}  // namespace mp
