#include "benchmarks/scaling/python_side.h"

#include <cstdint>
#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "scaling/workloads.h"
#include "gtest/gtest.h"

namespace mp::scaling {
namespace {

using test::IsOk;
using test::StatusIs;

TEST(ParsePythonOutputTest, ReadsRunLinesAndIgnoresOthers) {
  absl::StatusOr<std::vector<PythonRun>> runs =
      ParsePythonOutput("warming up\nRUN 2 1 0.125 42\n\nRUN 4 0 1.5 -7\n");
  ASSERT_THAT(runs.status(), IsOk());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].workers, 2);
  EXPECT_EQ((*runs)[0].repetition, 1);
  EXPECT_DOUBLE_EQ((*runs)[0].wall_seconds, 0.125);
  EXPECT_EQ((*runs)[1].checksum, -7);
}

TEST(ParsePythonOutputTest, ABrokenRunLineIsDataLoss) {
  EXPECT_THAT(ParsePythonOutput("RUN 2 1 fast 42\n").status(),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ParsePythonOutput("RUN 2 1\n").status(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(FindPythonScriptTest, AMissingPathGivenByFlagIsNotFound) {
  EXPECT_THAT(FindPythonScript("/no/such/workloads.py", "").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(FindPythonScriptTest, FindsTheScriptInTheRunfiles) {
  EXPECT_THAT(FindPythonScript("", "").status(), IsOk());
}

TEST(PythonAvailableTest, ANonexistentInterpreterIsNotAvailable) {
  EXPECT_FALSE(PythonAvailable("no-such-python-here"));
  EXPECT_FALSE(PythonAvailable("/no/such/python3"));
}

// The cross-language check: Python's prime counts over its (smaller) ranges equal ours.
TEST(RunPythonTest, PythonCountsTheSamePrimesAsCppOnTheSameRanges) {
  if (!PythonAvailable("python3")) GTEST_SKIP() << "python3 is not installed";
  absl::StatusOr<std::string> script = FindPythonScript("", "");
  ASSERT_THAT(script.status(), IsOk());
  const WorkSize size = WorkSize::Scaled(0.01, 0.25);
  for (const char* engine : {"pool", "threads"}) {
    absl::StatusOr<std::vector<PythonRun>> runs =
        RunPython({.script = *script, .engine = engine, .workload = Workload::kCpu,
                   .workers = {1, 2}, .repetitions = 2, .size = size});
    ASSERT_THAT(runs.status(), IsOk());
    ASSERT_EQ(runs->size(), 4u) << engine;

    WorkSize python_size = size;
    python_size.numbers_per_task = size.numbers_per_task / kPythonCpuDivisor;
    int64_t expected = 0;
    for (const PrimeRange& range : CpuTasks(python_size)) expected += CountPrimes(range).value;
    for (const PythonRun& run : *runs) {
      EXPECT_EQ(run.checksum, expected) << engine << " at " << run.workers << " workers";
      EXPECT_GT(run.wall_seconds, 0);
    }
  }
}

TEST(RunPythonTest, AFailingScriptIsUnavailableWithItsMessage) {
  if (!PythonAvailable("python3")) GTEST_SKIP() << "python3 is not installed";
  absl::StatusOr<std::string> script = FindPythonScript("", "");
  ASSERT_THAT(script.status(), IsOk());
  // workers=0 makes multiprocessing.Pool raise ValueError.
  EXPECT_THAT(RunPython({.script = *script, .engine = "pool", .workload = Workload::kTrivial,
                         .workers = {0}, .size = WorkSize::Scaled(0.01, 0.25)})
                  .status(),
              StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace mp::scaling
