#include "pool/chunksize.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace {

// Passes when each value matches what Python's Pool.map computes for the same sizes:
// chunksize, extra = divmod(len(iterable), len(pool) * 4); if extra: chunksize += 1
TEST(DefaultChunksizeTest, MatchesPythonsRule) {
  EXPECT_EQ(mp::DefaultChunksize(100, 4), 7);
  EXPECT_EQ(mp::DefaultChunksize(16, 4), 1);
  EXPECT_EQ(mp::DefaultChunksize(17, 4), 2);
  EXPECT_EQ(mp::DefaultChunksize(5, 4), 1);
  EXPECT_EQ(mp::DefaultChunksize(100000, 2), 12500);
  EXPECT_EQ(mp::DefaultChunksize(100001, 2), 12501);
}

// Passes when no input, however odd, gives a chunk smaller than one task.
TEST(DefaultChunksizeTest, IsAlwaysAtLeastOne) {
  EXPECT_EQ(mp::DefaultChunksize(0, 4), 1);
  EXPECT_EQ(mp::DefaultChunksize(-5, 4), 1);
  EXPECT_EQ(mp::DefaultChunksize(10, 0), 3);   // as with one worker
  EXPECT_EQ(mp::DefaultChunksize(10, -3), 3);  // as with one worker
}

// Passes when the largest task counts neither overflow nor lose the rounding up.
TEST(DefaultChunksizeTest, HandlesHugeTaskCounts) {
  const int64_t huge = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(mp::DefaultChunksize(huge, 1), huge / 4 + 1);
  EXPECT_EQ(mp::DefaultChunksize(huge, std::numeric_limits<int>::max()),
            huge / (4 * static_cast<int64_t>(std::numeric_limits<int>::max())) + 1);
}

}  // namespace
