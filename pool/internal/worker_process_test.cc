// One pool worker from the outside, with no pool around it: it reports on the results
// queue that it runs (or why it cannot), stops when asked, and its end is described.

#include "pool/internal/worker_process.h"

#include <csignal>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/byte_queue.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/internal/wire.h"
#include "pool/pool_task.h"
#include "process/process.h"

namespace mp::internal {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::testing::HasSubstr;

absl::StatusOr<int> RefuseToStart() { return absl::NotFoundError("no database"); }
MP_POOL_TASK(RefuseToStart);

class WorkerProcessTest : public test::IpcLeakCheckedTest {
 protected:
  void SetUp() override {
    IpcLeakCheckedTest::SetUp();
    absl::StatusOr<ByteQueue> queue = ByteQueue::Create({.capacity_bytes = 1 << 16});
    ASSERT_THAT(queue, IsOk());
    results_ = std::make_unique<ByteQueue>(*std::move(queue));
    launch_ = {.queue_bytes = 1 << 16, .results_queue = results_->name()};
  }
  void TearDown() override {
    results_.reset();  // before the check for segments left behind
    IpcLeakCheckedTest::TearDown();
  }
  // The worker's first message on the results queue.
  ResultMessage StartUpReport(std::string& bytes) {
    absl::StatusOr<std::string> message = results_->Get(absl::Minutes(1));
    EXPECT_THAT(message, IsOk());
    bytes = message.value_or("");
    absl::StatusOr<ResultMessage> report = DecodeResults(bytes);
    EXPECT_THAT(report, IsOk());
    return report.value_or(ResultMessage{});
  }

  std::unique_ptr<ByteQueue> results_;
  WorkerLaunch launch_;
};

TEST_F(WorkerProcessTest, AWorkerReportsThatItRunsAndStopsWhenAsked) {
  for (StartMethod method : {StartMethod::kFork, StartMethod::kSpawn}) {
    launch_.start_method = method;
    absl::StatusOr<WorkerProcess> worker = StartWorkerProcess(launch_, 3);
    ASSERT_THAT(worker, IsOk());
    std::string bytes;
    const ResultMessage report = StartUpReport(bytes);
    EXPECT_EQ(report.job, kStartUpReportJob);
    EXPECT_EQ(report.worker_pid, *worker->process->pid());
    EXPECT_TRUE(report.errors.empty());
    AskToStop(*worker, /*kill=*/false);
    AwaitExit(*worker->process);
    EXPECT_EQ(worker->process->exit_code(), 0) << "asked, it exits on its own, with 0";
  }
}

TEST_F(WorkerProcessTest, AWorkerWhoseInitializerFailsSaysWhy) {
  launch_.initializer = "RefuseToStart";
  absl::StatusOr<WorkerProcess> worker = StartWorkerProcess(launch_, 0);
  ASSERT_THAT(worker, IsOk());
  std::string bytes;
  const ResultMessage report = StartUpReport(bytes);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_THAT(report.errors[0].message, HasSubstr("no database"));
  AwaitExit(*worker->process);
}

TEST_F(WorkerProcessTest, AWorkerToldToStopByKillingIsKilled) {
  absl::StatusOr<WorkerProcess> worker = StartWorkerProcess(launch_, 0);
  ASSERT_THAT(worker, IsOk());
  std::string bytes;
  StartUpReport(bytes);
  AskToStop(*worker, /*kill=*/true);
  AwaitExit(*worker->process);
  EXPECT_EQ(worker->process->exit_code(), -SIGKILL);
}

TEST(DescribeExitTest, SaysHowTheWorkerEnded) {
  EXPECT_EQ(DescribeExit(812, -SIGKILL), "worker 812 was killed by SIGKILL");
  EXPECT_EQ(DescribeExit(812, -SIGSEGV), "worker 812 was killed by SIGSEGV");
  EXPECT_EQ(DescribeExit(812, 3), "worker 812 exited with code 3");
  EXPECT_THAT(DescribeExit(812, 0), HasSubstr("exited with code 0 (a task that calls exit()"));
}

}  // namespace
}  // namespace mp::internal
