#include "concepts/live_scaling_table.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/testing/status_matchers.h"

namespace mp::concepts {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(DoublingWorkerCountsTest, DoublesUpToTheWidestAndEndsThere) {
  EXPECT_THAT(DoublingWorkerCounts(1), ElementsAre(1));
  EXPECT_THAT(DoublingWorkerCounts(2), ElementsAre(1, 2));
  EXPECT_THAT(DoublingWorkerCounts(6), ElementsAre(1, 2, 4, 6));
  EXPECT_THAT(DoublingWorkerCounts(16), ElementsAre(1, 2, 4, 8, 16));
}

class MeasureScalingTableTest : public test::IpcLeakCheckedTest {};

// The figures are not checked (timing belongs to benchmarks/scaling_test); the shape is,
// and every engine must have counted the same primes or the call fails.
TEST_F(MeasureScalingTableTest, HasARowPerEngineAndAColumnPerWorkerCount) {
  absl::StatusOr<std::string> table = MeasureScalingTable({1, 2}, 0.01, 1);
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(*table, HasSubstr("| engine (speedup over itself on 1 worker) | 1 | 2 | 1 worker takes |"));
  EXPECT_THAT(*table, HasSubstr("| Pool (processes) | 1.00 |"));
  EXPECT_THAT(*table, HasSubstr("| ThreadPool (threads) | 1.00 |"));
  EXPECT_THAT(*table, HasSubstr("| threads + global lock | 1.00 |"));
}

TEST_F(MeasureScalingTableTest, RefusesNoWorkerCountsOrNoRepetitions) {
  EXPECT_THAT(MeasureScalingTable({}, 0.01, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MeasureScalingTable({0}, 0.01, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MeasureScalingTable({1}, 0.01, 0), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mp::concepts
