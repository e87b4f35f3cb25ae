#include "concepts/live_scaling_table.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/testing/ipc_leak_check.h"

namespace mp::concepts {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

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
  absl::StatusOr<ScalingTable> table = MeasureScalingTable({1, 2}, 0.01, 1);
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->markdown, HasSubstr("| engine (speedup over itself on 1 worker) | 1 | 2 | 1 worker takes |"));
  EXPECT_THAT(table->markdown, HasSubstr("| Pool (processes) | 1.00 |"));
  EXPECT_THAT(table->markdown, HasSubstr("| ThreadPool (threads) | 1.00 |"));
  EXPECT_THAT(table->markdown, HasSubstr("| threads + global lock | 1.00 |"));
  EXPECT_EQ(table->speedups.size(), 3u);
  EXPECT_EQ(table->speedups[scaling::Engine::kProcesses].size(), 2u);
}

ScalingTable Measured(double processes, double threads, double locked) {
  return {.worker_counts = {1, 2},
          .speedups = {{scaling::Engine::kProcesses, {1, processes}},
                       {scaling::Engine::kThreads, {1, threads}},
                       {scaling::Engine::kGlobalLock, {1, locked}}}};
}

// The verdict as one line (it comes wrapped for the terminal).
std::string Verdict(const ScalingTable& table) {
  std::string verdict = JudgeScaling(table);
  std::replace(verdict.begin(), verdict.end(), '\n', ' ');
  return verdict;
}

// The demo's and the tour's conclusion follows the numbers: the text that says both use
// the cores appears only when they did, and a busy machine is named as the reason.
TEST(JudgeScalingTest, TheConclusionFollowsTheNumbers) {
  EXPECT_THAT(Verdict(Measured(1.95, 1.9, 0.98)),
              AllOf(HasSubstr("both used the extra cores"), HasSubstr("took turns")));
  EXPECT_THAT(Verdict(Measured(0.55, 0.6, 0.9)),
              AllOf(HasSubstr("no free cores"), Not(HasSubstr("both used"))));
  EXPECT_THAT(Verdict(Measured(1.9, 0.7, 0.9)), HasSubstr("busy"));
  EXPECT_THAT(Verdict(Measured(1.9, 1.9, 1.9)), HasSubstr("timing error"));
  EXPECT_THAT(Verdict(ScalingTable{.worker_counts = {1}}), HasSubstr("nothing to compare"));
}

TEST_F(MeasureScalingTableTest, RefusesNoWorkerCountsOrNoRepetitions) {
  EXPECT_THAT(MeasureScalingTable({}, 0.01, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MeasureScalingTable({0}, 0.01, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MeasureScalingTable({1}, 0.01, 0), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mp::concepts
