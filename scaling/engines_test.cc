#include "scaling/engines.h"

#include <unistd.h>

#include <cstdint>
#include <memory>

#include "base/testing/status_matchers.h"
#include "scaling/workloads.h"
#include "gtest/gtest.h"
#include "ipc/testing/ipc_leak_check.h"

namespace mp::scaling {
namespace {

using test::IsOk;
using test::StatusIs;

class EnginesTest : public test::IpcLeakCheckedTest {};

// What every engine must compute: the tasks called one by one on this thread.
int64_t ExpectedChecksum(Workload workload, const WorkSize& size) {
  int64_t sum = 0;
  switch (workload) {
    case Workload::kCpu:
    case Workload::kSerial:
      for (const PrimeRange& range : CpuTasks(size)) sum += CountPrimes(range).value;
      break;
    case Workload::kMemory:
      for (const ArraySlices& slices : MemoryTasks(size)) sum += SumSlices(slices).value;
      break;
    case Workload::kBlocking: sum = size.tasks; break;
    case Workload::kTrivial:
      for (int64_t x : TrivialTasks(size)) sum += x;
      break;
  }
  return sum;
}

TEST_F(EnginesTest, EveryEngineComputesTheSameAnswerForEveryWorkload) {
  WorkSize size = WorkSize::Scaled(0.01, 0.25);
  size.wait_micros = 1;
  PrepareArray(size.array_bytes);  // before the Pool forks
  for (Engine engine : kAllEngines) {
    for (int workers : {1, 2}) {
      absl::StatusOr<std::unique_ptr<EngineRunner>> runner = EngineRunner::Create(engine, workers);
      ASSERT_THAT(runner.status(), IsOk());
      for (Workload workload : kAllWorkloads) {
        absl::StatusOr<JobRun> run = (*runner)->Run(workload, size);
        ASSERT_THAT(run.status(), IsOk());
        EXPECT_EQ(run->checksum, ExpectedChecksum(workload, size))
            << EngineName(engine) << " on " << WorkloadName(workload) << " with " << workers;
        EXPECT_GT(run->wall_seconds, 0);
      }
    }
  }
}

TEST_F(EnginesTest, ProcessWorkersReportTheirOwnPidsAndCpuTime) {
  absl::StatusOr<std::unique_ptr<EngineRunner>> runner =
      EngineRunner::Create(Engine::kProcesses, 2);
  ASSERT_THAT(runner.status(), IsOk());
  absl::StatusOr<JobRun> run = (*runner)->Run(Workload::kCpu, WorkSize::Scaled(0.01, 0.25));
  ASSERT_THAT(run.status(), IsOk());
  ASSERT_FALSE(run->cpu_seconds_by_worker.empty());
  for (const auto& [worker, cpu_seconds] : run->cpu_seconds_by_worker) {
    EXPECT_NE(worker, getpid());
    EXPECT_GE(cpu_seconds, 0);
  }
}

TEST_F(EnginesTest, RunRepeatedlyGivesOneRunPerRepetitionAfterTheWarmUp) {
  absl::StatusOr<std::unique_ptr<EngineRunner>> runner = EngineRunner::Create(Engine::kThreads, 2);
  ASSERT_THAT(runner.status(), IsOk());
  const WorkSize size = WorkSize::Scaled(0.01, 0.25);
  absl::StatusOr<std::vector<JobRun>> runs = (*runner)->RunRepeatedly(Workload::kCpu, size, 3);
  ASSERT_THAT(runs.status(), IsOk());
  ASSERT_EQ(runs->size(), 3u);
  for (const JobRun& run : *runs) EXPECT_EQ(run.checksum, ExpectedChecksum(Workload::kCpu, size));
}

TEST_F(EnginesTest, ZeroWorkersIsRefused) {
  EXPECT_THAT(EngineRunner::Create(Engine::kThreads, 0).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(EngineNamesTest, RoundTrip) {
  for (Engine engine : kAllEngines) EXPECT_EQ(ParseEngine(EngineName(engine)), engine);
  EXPECT_FALSE(ParseEngine("fibers").has_value());
}

}  // namespace
}  // namespace mp::scaling
