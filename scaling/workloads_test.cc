#include "scaling/workloads.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include "gtest/gtest.h"

namespace mp::scaling {
namespace {

TEST(WorkloadsTest, CountPrimesFindsTheKnownCounts) {
  EXPECT_EQ(CountPrimes({0, 100}).value, 25);
  EXPECT_EQ(CountPrimes({10'000'000, 1'000}).value, 61);
}

TEST(WorkloadsTest, ATaskReportsTheThreadThatRanIt) {
  EXPECT_EQ(CountPrimes({0, 10}).worker, static_cast<int64_t>(syscall(SYS_gettid)));
  EXPECT_GE(CountPrimes({0, 10}).cpu_nanos, 0);
}

TEST(WorkloadsTest, SerialAndParallelPartsAreTheCpuJobExactly) {
  const WorkSize size = WorkSize::Scaled(0.01, 0.25);
  const std::vector<PrimeRange> whole = CpuTasks(size);
  const std::vector<PrimeRange> heads = ParallelPart(size);
  const std::vector<PrimeRange> tails = SerialPart(size);
  ASSERT_EQ(heads.size(), whole.size());
  ASSERT_EQ(tails.size(), whole.size());
  int64_t tail_numbers = 0;
  for (size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(heads[i].first, whole[i].first);
    EXPECT_EQ(tails[i].first, heads[i].first + heads[i].count);
    EXPECT_EQ(heads[i].count + tails[i].count, whole[i].count);
    tail_numbers += tails[i].count;
  }
  EXPECT_NEAR(static_cast<double>(tail_numbers) / (size.tasks * size.numbers_per_task), 0.25,
              0.01);
}

TEST(WorkloadsTest, SumSlicesNeedsTheArrayAndWrapsAroundIt) {
  EXPECT_EQ(SumSlices({0, 1}).value, -1);  // before PrepareArray
  PrepareArray(int64_t{16} << 20);         // 4 slices of 4 MiB
  // Slice 0 holds i % 251 for i < 524288: 2088 whole cycles of 0..250, then 0..199.
  constexpr int64_t kFirstSliceSum = int64_t{2088} * (250 * 251 / 2) + 199 * 200 / 2;
  EXPECT_EQ(SumSlices({0, 1}).value, kFirstSliceSum);
  EXPECT_EQ(SumSlices({4, 1}).value, kFirstSliceSum);  // slice 4 of 4 is slice 0 again
}

TEST(WorkloadsTest, NamesRoundTrip) {
  for (Workload workload : kAllWorkloads) {
    EXPECT_EQ(ParseWorkload(WorkloadName(workload)), workload);
  }
  EXPECT_FALSE(ParseWorkload("gpu").has_value());
}

TEST(WorkloadsTest, EveryJobHasOneTaskPerTaskSlot) {
  const WorkSize size = WorkSize::Scaled(0.01, 0.25);
  EXPECT_EQ(MemoryTasks(size).size(), static_cast<size_t>(size.tasks));
  EXPECT_EQ(BlockingTasks(size).size(), static_cast<size_t>(size.tasks));
  EXPECT_EQ(TrivialTasks(size).size(), static_cast<size_t>(size.trivial_tasks));
}

}  // namespace
}  // namespace mp::scaling
