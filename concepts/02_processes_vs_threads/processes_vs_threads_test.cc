// Proves the claims of this lesson's README, one test per claim.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "concepts/02_processes_vs_threads/cpu_overlap.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/shared_value.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "pool/thread_pool.h"
#include "process/process.h"

namespace mp {
namespace {

using ::mp::concepts::CpuOverlap;
using ::mp::concepts::CpuSpin;
using ::mp::concepts::PinnedToOneCpu;
using ::mp::concepts::SpinForCpu;

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;


int counter = 0;  // an ordinary global

[[noreturn]] void Segfault() {
  signal(SIGSEGV, SIG_DFL);
  raise(SIGSEGV);
  std::abort();
}

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

// Claims 4 and 5 tell parallelism from concurrency by CPU time (cpu_overlap.h): two
// workers that each burn 100 ms of CPU used more CPU together than the wall time the
// whole took only if they computed at the same moment on two CPUs. A barrier cannot tell:
// one CPU taking turns gets every party there too.
constexpr int64_t kSpinMillis = 100;
constexpr double kParallel = 1.15;  // clearly above what one CPU can give (1.0)
constexpr double kOneCpu = 1.05;   // 1.0 is the law; the rest is clock rounding
constexpr int kAttempts = 5;

CpuSpin SpinTask(int64_t cpu_ms) { return SpinForCpu(cpu_ms); }
MP_POOL_TASK(SpinTask);

// Two plain threads spinning: the machine's own ability, this moment, to run two things
// at once. A test that cannot see parallelism skips (saying so) unless these could.
double OverlapOfTwoPlainThreads() {
  std::vector<CpuSpin> spins(2);
  std::thread other([&] { spins[1] = SpinForCpu(kSpinMillis); });
  spins[0] = SpinForCpu(kSpinMillis);
  other.join();
  return CpuOverlap(spins);
}

// Runs `measure` (which returns an overlap) up to kAttempts times, each followed by two
// plain threads, by turns; passes at the first that shows parallelism. If none does, it
// fails only where plain threads showed parallelism every time: the machine had a second
// CPU free throughout, and the workers still took turns. Otherwise (a busy machine gives
// a second CPU now and then) it skips, saying so.
template <typename Measure>
void ExpectParallelism(Measure measure) {
  double best = 0;
  double machine_at_worst = 1e9;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    absl::StatusOr<double> overlap = measure();
    ASSERT_THAT(overlap, IsOk());
    best = std::max(best, *overlap);
    if (*overlap > kParallel) return;
    machine_at_worst = std::min(machine_at_worst, OverlapOfTwoPlainThreads());
  }
  if (machine_at_worst <= kParallel) {
    GTEST_SKIP() << "no second CPU was free throughout: plain threads reached only "
                 << machine_at_worst << " CPU-seconds per second at worst";
  }
  ADD_FAILURE() << "the workers reached " << best << " CPU-seconds per second at best; plain "
                << "threads at least " << machine_at_worst << " every time";
}

absl::StatusOr<double> OverlapOfTwoProcesses() {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  if (!pool.ok()) return pool.status();
  absl::StatusOr<std::vector<CpuSpin>> spins =
      pool->Map(SpinTask, std::vector<int64_t>(2, kSpinMillis), {.chunksize = 1});
  if (!spins.ok()) return spins.status();
  return CpuOverlap(*spins);
}

// `global_lock`: every task holds it while it computes, as CPython's threads hold the GIL.
absl::StatusOr<double> OverlapOfTwoThreads(std::mutex* global_lock = nullptr) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 2});
  if (!pool.ok()) return pool.status();
  absl::StatusOr<std::vector<CpuSpin>> spins = pool->Map(
      [global_lock](int64_t cpu_ms) {
        if (global_lock == nullptr) return SpinForCpu(cpu_ms);
        std::lock_guard<std::mutex> held(*global_lock);
        return SpinForCpu(cpu_ms);
      },
      std::vector<int64_t>(2, kSpinMillis), {.chunksize = 1});
  if (!spins.ok()) return spins.status();
  return CpuOverlap(*spins);
}

// Claim 4: two worker processes compute in parallel (more CPU time than wall time).
TEST_F(ProcessesVsThreadsTest, WorkerProcessesComputeInParallel) {
  ExpectParallelism(OverlapOfTwoProcesses);
}

// Claim 4, counterfactual: pinned to one CPU, the same measure shows no parallelism.
TEST_F(ProcessesVsThreadsTest, PinnedToOneCpuWorkerProcessesCannotComputeInParallel) {
  PinnedToOneCpu one_cpu;  // the workers inherit it
  absl::StatusOr<double> overlap = OverlapOfTwoProcesses();
  ASSERT_THAT(overlap, IsOk());
  EXPECT_LE(*overlap, kOneCpu);
}

// Claim 4: two worker threads compute in parallel too.
TEST_F(ProcessesVsThreadsTest, WorkerThreadsComputeInParallel) {
  ExpectParallelism([] { return OverlapOfTwoThreads(); });
}

// Claim 4, counterfactual: pinned to one CPU, threads show none either.
TEST_F(ProcessesVsThreadsTest, PinnedToOneCpuWorkerThreadsCannotComputeInParallel) {
  PinnedToOneCpu one_cpu;  // the pool's threads inherit it
  absl::StatusOr<double> overlap = OverlapOfTwoThreads();
  ASSERT_THAT(overlap, IsOk());
  EXPECT_LE(*overlap, kOneCpu);
}

// Claim 5: threads that must hold one global lock to compute (CPython's GIL) never compute
// at the same moment, on any number of CPUs: together they use no more CPU than time
// passes. (Its counterfactual, the same threads without the lock, is
// WorkerThreadsComputeInParallel.)
TEST_F(ProcessesVsThreadsTest, UnderAGlobalLockThreadsComputeOneAtATime) {
  std::mutex global_interpreter_lock;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    absl::StatusOr<double> overlap = OverlapOfTwoThreads(&global_interpreter_lock);
    ASSERT_THAT(overlap, IsOk());
    EXPECT_LE(*overlap, kOneCpu);
  }
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
