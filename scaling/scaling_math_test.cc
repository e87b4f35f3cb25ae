#include "scaling/scaling_math.h"

#include "gtest/gtest.h"

namespace mp::scaling {
namespace {

TEST(SummarizeTest, MedianOfAnOddCountIsTheMiddleSample) {
  const Spread spread = Summarize({3.0, 1.0, 2.0});
  EXPECT_EQ(spread.median, 2.0);
  EXPECT_EQ(spread.min, 1.0);
  EXPECT_EQ(spread.max, 3.0);
  EXPECT_DOUBLE_EQ(spread.Relative(), 1.0);
}

TEST(SummarizeTest, MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo) {
  EXPECT_EQ(Summarize({4.0, 1.0, 3.0, 2.0}).median, 2.5);
}

TEST(SummarizeTest, NoSamplesGiveZeros) {
  const Spread spread = Summarize({});
  EXPECT_EQ(spread.median, 0);
  EXPECT_EQ(spread.Relative(), 0);
}

TEST(ScalingMathTest, HalfTheTimeOnTwoWorkersIsPerfectScaling) {
  const double speedup = Speedup(2.0, 1.0);
  EXPECT_DOUBLE_EQ(speedup, 2.0);
  EXPECT_DOUBLE_EQ(Efficiency(speedup, 2), 1.0);
  EXPECT_DOUBLE_EQ(*KarpFlatt(speedup, 2), 0.0);
}

TEST(ScalingMathTest, KarpFlattIsUndefinedForOneWorker) {
  EXPECT_FALSE(KarpFlatt(1.0, 1).has_value());
}

TEST(ScalingMathTest, KarpFlattRecoversTheSerialFractionOfAnAmdahlSpeedup) {
  for (int workers : {2, 4, 16, 64}) {
    EXPECT_NEAR(*KarpFlatt(AmdahlSpeedup(0.25, workers), workers), 0.25, 1e-12) << workers;
  }
}

TEST(ScalingMathTest, AmdahlCapsSpeedupAtOneOverTheSerialFraction) {
  EXPECT_DOUBLE_EQ(AmdahlSpeedup(0.0, 8), 8.0);
  EXPECT_LT(AmdahlSpeedup(0.25, 1'000'000), 4.0);
  EXPECT_GT(AmdahlSpeedup(0.25, 1'000'000), 3.99);
}

}  // namespace
}  // namespace mp::scaling
