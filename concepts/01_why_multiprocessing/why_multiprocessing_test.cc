// Proves the claims of this lesson's README that are not proved elsewhere (the README
// names the tests of other packages it relies on).

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/barrier.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "pool/thread_pool.h"
#include "process/process.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::testing::Optional;

constexpr absl::Duration kGenerous = absl::Seconds(30);

int64_t CountPrimes(std::pair<int64_t, int64_t> range) {
  int64_t primes = 0;
  for (int64_t n = std::max<int64_t>(range.first, 2); n < range.second; ++n) {
    bool prime = true;
    for (int64_t d = 2; d * d <= n && prime; ++d) prime = n % d != 0;
    primes += prime;
  }
  return primes;
}
MP_POOL_TASK(CountPrimes);

// Waits, without using any CPU, until `parties` tasks wait together.
int WaitTogether(std::string barrier_name) {
  absl::StatusOr<Barrier> barrier = Barrier::Attach(barrier_name);
  return barrier.ok() && barrier->Wait(kGenerous).ok() ? 1 : 0;
}
MP_POOL_TASK(WaitTogether);

// The same, giving up after `patience_ms`: for a pool too small to ever gather them.
int WaitTogetherAtMost(std::string barrier_name, int64_t patience_ms) {
  absl::StatusOr<Barrier> barrier = Barrier::Attach(barrier_name);
  return barrier.ok() && barrier->Wait(absl::Milliseconds(patience_ms)).ok() ? 1 : 0;
}
MP_POOL_TASK(WaitTogetherAtMost);

class WhyMultiprocessingTest : public test::IpcLeakCheckedTest {};

// Claim 1: a job split into parts that worker processes run gives the same answer as the
// job run whole in one process.
constexpr int64_t kEnd = 200'000;

// [0, kEnd) in 8 parts; each part `overlap` numbers longer than its share (negative: shorter).
std::vector<std::pair<int64_t, int64_t>> EightParts(int64_t overlap) {
  std::vector<std::pair<int64_t, int64_t>> parts;
  for (int64_t first = 0; first < kEnd; first += kEnd / 8) {
    parts.emplace_back(first, std::min(first + kEnd / 8 + overlap, kEnd));
  }
  return parts;
}

// The primes counted part by part, in a pool of 4 processes, added up.
absl::StatusOr<int64_t> CountInParts(const std::vector<std::pair<int64_t, int64_t>>& parts) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 4});
  if (!pool.ok()) return pool.status();
  absl::StatusOr<std::vector<int64_t>> counts = pool->Map(CountPrimes, parts);
  if (!counts.ok()) return counts.status();
  return std::accumulate(counts->begin(), counts->end(), int64_t{0});
}

TEST_F(WhyMultiprocessingTest, SplittingAJobOverProcessesGivesTheSameAnswer) {
  const int64_t whole = CountPrimes({0, kEnd});
  EXPECT_EQ(whole, 17'984);  // primes below 200,000
  EXPECT_THAT(CountInParts(EightParts(0)), IsOkAndHolds(whole));
}

// Claim 1, counterfactual: parts that overlap count some primes twice, and parts with
// gaps miss some: the sum is no longer the whole's.
TEST_F(WhyMultiprocessingTest, OverlappingOrMissingRangesGiveAnotherAnswer) {
  const int64_t whole = CountPrimes({0, kEnd});
  EXPECT_THAT(CountInParts(EightParts(1000)), IsOkAndHolds(::testing::Gt(whole)));
  EXPECT_THAT(CountInParts(EightParts(-1000)), IsOkAndHolds(::testing::Lt(whole)));
}

// Claim 3: tasks that wait (for a disk, a server, a timer) can all wait at once, even
// many more of them than there are cores: 16 tasks meet at a barrier of 16.
TEST_F(WhyMultiprocessingTest, MoreWaitingWorkersThanCoresAllWaitAtOnce) {
  constexpr int kWorkers = 16;
  absl::StatusOr<Barrier> barrier = Barrier::Create(kWorkers);
  ASSERT_THAT(barrier, IsOk());
  absl::StatusOr<Pool> pool = Pool::Create({.workers = kWorkers});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<std::vector<int>> met =
      pool->Map(WaitTogether, std::vector<std::string>(kWorkers, barrier->name()), {.chunksize = 1});
  ASSERT_THAT(met, IsOk());
  EXPECT_EQ(std::accumulate(met->begin(), met->end(), 0), kWorkers);
}

// Claim 3, counterfactual: on 4 workers the 16 never wait at once, so they never meet:
// however long they wait (here a fifth of a second, then the barrier breaks), none does.
TEST_F(WhyMultiprocessingTest, FewerWorkersThanWaitingTasksNeverAllWaitAtOnce) {
  constexpr int kTasks = 16;
  absl::StatusOr<Barrier> barrier = Barrier::Create(kTasks);
  ASSERT_THAT(barrier, IsOk());
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 4});
  ASSERT_THAT(pool, IsOk());
  std::vector<std::tuple<std::string, int64_t>> waits(kTasks, {barrier->name(), 200});
  absl::StatusOr<std::vector<int>> met = pool->Starmap(WaitTogetherAtMost, waits, {.chunksize = 1});
  ASSERT_THAT(met, IsOk());
  EXPECT_EQ(std::accumulate(met->begin(), met->end(), 0), 0);
}

// Claim 4: a child that wrecks its own memory and then crashes leaves its parent's memory
// and the parent itself untouched.
TEST_F(WhyMultiprocessingTest, AChildThatWrecksItsMemoryAndCrashesLeavesTheParentIntact) {
  std::vector<int64_t> data(100'000);
  std::iota(data.begin(), data.end(), 0);
  const std::vector<int64_t> original = data;
  Process vandal([&data] {
    std::fill(data.begin(), data.end(), -1);
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
  });
  ASSERT_THAT(vandal.Start(), IsOk());
  ASSERT_THAT(vandal.Join(), IsOk());
  EXPECT_THAT(vandal.exit_code(), Optional(-SIGSEGV));
  EXPECT_EQ(data, original);
}

// Writes -1 over `count` numbers at `address`, an address in the caller's memory, and
// returns the numbers it was given. In a worker forked after the array was made, the
// address is valid but names the worker's own copy-on-write copy; in a thread it names
// the caller's array itself.
std::vector<int64_t> WriteThroughTheCallersAddress(uintptr_t address, size_t count,
                                                   std::vector<int64_t> values) {
  std::fill_n(reinterpret_cast<int64_t*>(address), count, int64_t{-1});
  return values;
}
MP_POOL_TASK(WriteThroughTheCallersAddress);

// Runs WriteThroughTheCallersAddress on `pool` over `data`; returns whether `data` is as
// it was (nothing reached the caller) and the result came back whole.
template <typename AnyPool>
bool TheCallersDataStaysItsOwn(AnyPool& pool, std::vector<int64_t>& data) {
  const std::vector<int64_t> before = data;
  absl::StatusOr<std::vector<int64_t>> returned = pool.Apply(
      WriteThroughTheCallersAddress, reinterpret_cast<uintptr_t>(data.data()), data.size(), data);
  EXPECT_THAT(returned, IsOkAndHolds(before)) << "the arguments arrive and the result returns";
  return data == before;
}

// Claim 6: arguments and results are copied between processes, both ways: that copying is
// the communication cost of multiprocessing.
TEST_F(WhyMultiprocessingTest, ArgumentsAndResultsAreCopiedBetweenProcesses) {
  // Made before the pool forks its worker, so that the worker's copy of our memory holds
  // a copy of it at the same address (made after, the address would name nothing there).
  std::vector<int64_t> data = {1, 2, 3};
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1, .start_method = StartMethod::kFork});
  ASSERT_THAT(pool, IsOk());
  EXPECT_TRUE(TheCallersDataStaysItsOwn(*pool, data)) << "the worker wrote the caller's array";
}

// Claim 6, counterfactual: in a ThreadPool nothing is copied: the same write reaches the
// caller's array.
TEST_F(WhyMultiprocessingTest, InAThreadPoolTheSameWriteReachesTheCaller) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 1});
  ASSERT_THAT(pool, IsOk());
  std::vector<int64_t> data = {1, 2, 3};
  EXPECT_FALSE(TheCallersDataStaysItsOwn(*pool, data));
  EXPECT_EQ(data, (std::vector<int64_t>{-1, -1, -1}));
}

}  // namespace
}  // namespace mp
