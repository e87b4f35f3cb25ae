#include "pool/internal/dispatch.h"

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mp::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// `pending` chunks of `tasks` tasks each.
Destinations Choose(const std::vector<WorkerLoad>& workers, size_t pending, uint64_t tasks = 1,
                    int64_t quota = 0) {
  return ChooseDestinations(workers, pending, [tasks](size_t) { return tasks; }, quota);
}

WorkerLoad Idle(size_t limit = kChunksInFlight) { return {.takes_chunks = true, .limit = limit}; }

TEST(DispatchTest, ChunksAreSpreadOverTheLeastLoadedWorkers) {
  std::vector<WorkerLoad> workers = {Idle(), Idle(), Idle()};
  workers[0].in_flight = 2;
  // Worker 1 and 2 first (none in flight), then evenly as the loads meet.
  EXPECT_THAT(Choose(workers, 6), ElementsAre(1, 2, 1, 2, 0, 1));
}

TEST(DispatchTest, AWorkerNeverHoldsMoreThanItsLimit) {
  const std::vector<WorkerLoad> workers = {Idle(2), Idle(3)};
  // Five places in all: the sixth chunk has nowhere to go, and ends the list.
  EXPECT_THAT(Choose(workers, 8), ElementsAre(0, 1, 0, 1, 1));
}

TEST(DispatchTest, WorkersThatTakeNoChunksAreLeftAlone) {
  std::vector<WorkerLoad> workers = {Idle(), Idle()};
  workers[0].takes_chunks = false;  // no process (being replaced), or not refilling yet
  EXPECT_THAT(Choose(workers, 2), ElementsAre(1, 1));
  workers[1].takes_chunks = false;
  EXPECT_THAT(Choose(workers, 2), IsEmpty());
}

TEST(DispatchTest, NothingPendingChoosesNothing) {
  EXPECT_THAT(Choose({Idle()}, 0), IsEmpty());
  EXPECT_THAT(Choose({}, 3), IsEmpty());
}

TEST(DispatchTest, TheFirstChunkWithNowhereToGoEndsTheList) {
  // A small chunk after a large one must not overtake it: chunks go out in order.
  std::vector<WorkerLoad> workers = {Idle()};
  workers[0].tasks_sent = 3;
  const std::vector<uint64_t> tasks = {1, 5, 1};
  const Destinations chosen = ChooseDestinations(
      workers, tasks.size(), [&](size_t index) { return tasks[index]; }, /*quota=*/5);
  EXPECT_THAT(chosen, ElementsAre(0));  // 3 + 1 fits the quota of 5; 4 + 5 does not
}

TEST(DispatchTest, AWorkerIsNotGivenMoreThanItsQuota) {
  std::vector<WorkerLoad> workers = {Idle(), Idle()};
  // Quota 2: two one-task chunks each, then nothing more until they are replaced.
  EXPECT_THAT(Choose(workers, 6, 1, /*quota=*/2), ElementsAre(0, 1, 0, 1));
  // A fresh worker still takes a chunk larger than the quota (else it would never run).
  EXPECT_THAT(Choose(workers, 2, 7, /*quota=*/2), ElementsAre(0, 1));
}

TEST(DispatchTest, TheLimitFollowsHowLongAChunkTakes) {
  EXPECT_EQ(ChunkLimit(absl::ZeroDuration()), kChunksInFlight);  // not timed yet
  // Fast chunks: enough queued to cover kQueuedWorkWhenFast, within bounds.
  EXPECT_EQ(ChunkLimit(absl::Nanoseconds(1)), kMostChunksInFlightWhenFast);
  EXPECT_EQ(ChunkLimit(absl::Microseconds(2)), kMostChunksInFlightWhenFast);
  EXPECT_EQ(ChunkLimit(absl::Microseconds(10)), 160u);
  EXPECT_EQ(ChunkLimit(absl::Microseconds(99)), kChunksInFlightWhenFast);
  EXPECT_EQ(ChunkLimit(absl::Microseconds(500)), kChunksInFlight);
  EXPECT_EQ(ChunkLimit(absl::Milliseconds(5)), kChunksInFlightWhenSlow);
  EXPECT_GT(kChunksInFlightWhenFast, kChunksInFlight);
  EXPECT_LT(kChunksInFlightWhenSlow, kChunksInFlight);
}

}  // namespace
}  // namespace mp::internal
