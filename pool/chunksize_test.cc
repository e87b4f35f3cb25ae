#include "pool/chunksize.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace {

// Passes when each value matches what Python's Pool.map computes for the same sizes,
// below the cap: chunksize, extra = divmod(len(iterable), len(pool) * 4); if extra: += 1
TEST(DefaultChunksizeTest, MatchesPythonsRuleBelowTheCap) {
  EXPECT_EQ(mp::DefaultChunksize(100, 4), 7);
  EXPECT_EQ(mp::DefaultChunksize(16, 4), 1);
  EXPECT_EQ(mp::DefaultChunksize(17, 4), 2);
  EXPECT_EQ(mp::DefaultChunksize(5, 4), 1);
  EXPECT_EQ(mp::DefaultChunksize(32768, 2), 4096);
  EXPECT_EQ(mp::DefaultChunksize(32767, 2), 4096);
  EXPECT_EQ(mp::DefaultChunksize(32759, 2), 4095);
}

// Passes when large maps get chunks of kMaxDefaultChunksize tasks, not Python's huge ones.
TEST(DefaultChunksizeTest, LargeMapsAreCapped) {
  EXPECT_EQ(mp::DefaultChunksize(100000, 2), mp::kMaxDefaultChunksize);  // Python: 12500
  EXPECT_EQ(mp::DefaultChunksize(1000000, 2), mp::kMaxDefaultChunksize);
}

// Passes when no input, however odd, gives a chunk smaller than one task.
// Passes when a ThreadPool's chunks (not messages) follow Python's rule, with no cap.
TEST(DefaultChunksizeTest, AnEngineWhoseChunksAreNotMessagesTakesPythonsRuleUncapped) {
  EXPECT_EQ(mp::DefaultChunksize(1'000'000, 2, INT64_MAX), 125'000);
  EXPECT_EQ(mp::DefaultChunksize(1'000'000, 2, 0), 1) << "a cap below 1 is 1";
}

TEST(DefaultChunksizeTest, IsAlwaysAtLeastOne) {
  EXPECT_EQ(mp::DefaultChunksize(0, 4), 1);
  EXPECT_EQ(mp::DefaultChunksize(-5, 4), 1);
  EXPECT_EQ(mp::DefaultChunksize(10, 0), 3);   // as with one worker
  EXPECT_EQ(mp::DefaultChunksize(10, -3), 3);  // as with one worker
}

// Passes when the largest task counts do not overflow.
TEST(DefaultChunksizeTest, HandlesHugeTaskCounts) {
  const int64_t huge = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(mp::DefaultChunksize(huge, 1), mp::kMaxDefaultChunksize);
  EXPECT_EQ(mp::DefaultChunksize(huge, std::numeric_limits<int>::max()), mp::kMaxDefaultChunksize);
}

}  // namespace
