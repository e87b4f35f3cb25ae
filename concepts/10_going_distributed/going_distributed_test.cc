// Lesson 10's claims: what changes when a pool's workers are on other hosts. The hosts
// here are real worker-host processes (this lesson's :host, and the stock
// //pool/remote:worker), reached over gRPC on loopback; the ledger (ledger.h) counts
// how many times each task ran, which the pool itself does not show.

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "concepts/10_going_distributed/ledger.h"
#include "gtest/gtest.h"
#include "pool/pool.h"
#include "pool/remote/loopback_host.h"
#include "pool/remote/remote_pool.h"
#include "pool/remote/stock_tasks.h"
#include "pool/remote/testing/loopback_hosts_test.h"
#include "process/testing/counterfactual.h"
#include "process/testing/leak_check.h"

namespace mp::concepts {
namespace {

using ::mp::remote::Square;
using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;

// The lesson's own hosts (:host); the fixture stops them after each test and checks that
// each exited 0, leaving no process or shared memory behind.
class GoingDistributedTest : public remote::test::LoopbackHostsTest {
 protected:
  GoingDistributedTest() : LoopbackHostsTest("concepts/10_going_distributed/host") {}

  // Which host each worker process belongs to (the index into hosts_). A host's workers
  // are the children of its fork server, which is the host's child.
  std::map<pid_t, int> HostOfEachWorker() const {
    std::map<pid_t, int> host_of;
    for (size_t host = 0; host < hosts_.size(); ++host) {
      for (pid_t server : test::ChildrenOf(hosts_[host].program->pid())) {
        for (pid_t worker : test::ChildrenOf(server)) host_of[worker] = static_cast<int>(host);
      }
    }
    return host_of;
  }
};

std::vector<int64_t> Doubles(int count) {
  std::vector<int64_t> doubles;
  for (int64_t i = 0; i < count; ++i) doubles.push_back(2 * i);
  return doubles;
}

// Passes when a Map over three hosts returns what a local Pool returns, each task ran
// exactly once, and every task ran in a worker of one of the hosts, all three taking part.
TEST_F(GoingDistributedTest, TheSameMapRunsInOtherProcessesAndGivesTheSameAnswer) {
  absl::StatusOr<RemotePool> remote = RemotePool::Create({.hosts = StartHosts(3), .auth_token = remote::LoopbackToken()});
  ASSERT_THAT(remote, IsOk());
  absl::StatusOr<Pool> local = Pool::Create({.workers = 2});
  ASSERT_THAT(local, IsOk());
  absl::StatusOr<Ledger> local_ledger = Ledger::Create(60, Ledger::Gate::kOpen);
  absl::StatusOr<Ledger> remote_ledger = Ledger::Create(60, Ledger::Gate::kOpen);
  ASSERT_THAT(local_ledger, IsOk());
  ASSERT_THAT(remote_ledger, IsOk());

  EXPECT_THAT(local->Map(RecordedDouble, local_ledger->Tickets(0), {.chunksize = 2}),
              IsOkAndHolds(Doubles(60)));
  EXPECT_THAT(remote->Map(RecordedDouble, remote_ledger->Tickets(0), {.chunksize = 2}),
              IsOkAndHolds(Doubles(60)));

  const std::map<pid_t, int> host_of = HostOfEachWorker();
  absl::StatusOr<std::vector<Ledger::Run>> runs = remote_ledger->Runs();
  ASSERT_THAT(runs, IsOk());
  std::set<int> hosts_used;
  for (size_t task = 0; task < runs->size(); ++task) {
    const Ledger::Run& run = (*runs)[task];
    EXPECT_EQ(run.count, 1) << "task " << task;
    ASSERT_TRUE(host_of.contains(run.worker_pid)) << "task " << task << " ran outside the hosts";
    hosts_used.insert(host_of.at(run.worker_pid));
  }
  EXPECT_EQ(hosts_used.size(), 3u);
}

// Passes when every chunk costs exactly one call to a host: 1000 tasks in chunks of 1,
// 10 and 250 make 1000, 100 and 4 calls.
TEST_F(GoingDistributedTest, EveryChunkIsOneRoundTripToAHost) {
  absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = StartHosts(2), .auth_token = remote::LoopbackToken()});
  ASSERT_THAT(pool, IsOk());
  std::vector<int64_t> numbers(1000, 3);
  auto calls_so_far = [&] {
    int64_t calls = 0;
    for (const remote::HostStatus& host : pool->Hosts()) calls += host.chunks_done;
    return calls;
  };
  for (const auto& [chunksize, calls] : std::vector<std::pair<int, int64_t>>{{1, 1000}, {10, 100}, {250, 4}}) {
    const int64_t before = calls_so_far();
    ASSERT_THAT(pool->Map(Square, numbers, {.chunksize = chunksize}), IsOk());
    EXPECT_EQ(calls_so_far() - before, calls) << "chunksize " << chunksize;
  }
}

// Passes when a host that was not built with a task refuses it by name (NotFound): only
// the task's name and its arguments' bytes travel, never its code.
TEST_F(GoingDistributedTest, AHostRunsOnlyTheTasksItWasBuiltWith) {
  absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = {StartHostOf("pool/remote/worker")}, .auth_token = remote::LoopbackToken()});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<Ledger> ledger = Ledger::Create(3, Ledger::Gate::kOpen);
  ASSERT_THAT(ledger, IsOk());
  EXPECT_THAT(pool->Map(RecordedDouble, ledger->Tickets(0)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no pool task named 'RecordedDouble'")));
  EXPECT_THAT(pool->Map(Square, std::vector<int64_t>{1, 2, 3}),
              IsOkAndHolds(std::vector<int64_t>{1, 4, 9}));
}

// Passes when a host that stops answering (SIGSTOP: alive, connected, silent, as a host
// behind a failed link looks) is declared dead by its health check, the map completes
// correctly on the others, and a task that host had started runs a second time.
TEST_F(GoingDistributedTest, AHostThatStopsAnsweringIsGivenUpAndItsTasksRunTwice) {
  constexpr int kTasks = 30;
  absl::StatusOr<RemotePool> pool =
      RemotePool::Create({.hosts = StartHosts(3), .auth_token = remote::LoopbackToken(), .health_interval = absl::Milliseconds(200)});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<Ledger> ledger = Ledger::Create(kTasks, Ledger::Gate::kClosed);
  ASSERT_THAT(ledger, IsOk());
  absl::StatusOr<ResultStream<int64_t>> stream =
      pool->ImapUnordered(RecordedDouble, ledger->Tickets(0), {.chunksize = 1});
  ASSERT_THAT(stream, IsOk());

  // Wait, start by start, until a worker of host 0 has begun a task (it then waits at
  // the gate, so it is certainly still running when host 0 stops).
  const std::map<pid_t, int> host_of = HostOfEachWorker();
  int started_on_host_0 = -1;
  for (int starts = 0; starts < kTasks && started_on_host_0 < 0; ++starts) {
    ASSERT_THAT(ledger->AwaitAStart(kGenerous), IsOk());
    absl::StatusOr<std::vector<Ledger::Run>> runs = ledger->Runs();
    ASSERT_THAT(runs, IsOk());
    for (int task = 0; task < kTasks; ++task) {
      const Ledger::Run& run = (*runs)[static_cast<size_t>(task)];
      auto host = host_of.find(run.worker_pid);
      if (run.count > 0 && host != host_of.end() && host->second == 0) started_on_host_0 = task;
    }
  }
  ASSERT_GE(started_on_host_0, 0) << "host 0 never started a task";

  ASSERT_THAT(remote::StopHost(hosts_[0]), IsOk());
  // At the end, pass or fail, let host 0 go on, so that TearDown stops it in order like
  // the others.
  absl::Cleanup resume_host_0 = [this] { kill(hosts_[0].program->pid(), SIGCONT); };
  ledger->OpenGate();
  std::multiset<int64_t> results;
  for (int i = 0; i < kTasks; ++i) {
    // (Bounded: where the silent host is never given up, its task's result never comes.)
    absl::StatusOr<int64_t> next = stream->Next(internal::BoundOnWaits(kGenerous));
    ASSERT_THAT(next, IsOk()) << "result " << i;
    results.insert(*next);
  }
  EXPECT_THAT(stream->Next(kGenerous), StatusIs(absl::StatusCode::kOutOfRange));
  const std::vector<int64_t> doubles = Doubles(kTasks);
  EXPECT_EQ(results, std::multiset<int64_t>(doubles.begin(), doubles.end())) << "each result filed once";

  const std::vector<remote::HostStatus> hosts = pool->Hosts();
  EXPECT_FALSE(hosts[0].alive);
  EXPECT_THAT(hosts[0].why_dead, HasSubstr("missed a health check"));
  absl::StatusOr<std::vector<Ledger::Run>> runs = ledger->Runs();
  ASSERT_THAT(runs, IsOk());
  const Ledger::Run& twice = (*runs)[static_cast<size_t>(started_on_host_0)];
  EXPECT_EQ(twice.count, 2) << "task " << started_on_host_0;
  EXPECT_NE(host_of.at(twice.worker_pid), 0) << "its second run was on another host";
}

// Claims 1 and 6, counterfactuals, with the library's bug put back (base/put_bug_back.h):
// a pool that sends every chunk to its first host, and one that never gives up a host
// that stopped answering.
TEST_F(GoingDistributedTest, OnlyTheFirstHostUsedFailsClaim1) {
  EXPECT_THAT(test::FailsWithBugPutBack(
                  "GoingDistributedTest.TheSameMapRunsInOtherProcessesAndGivesTheSameAnswer",
                  "only_the_first_host_used"),
              IsOk());
}

TEST_F(GoingDistributedTest, KeepingASilentHostFailsClaim6) {
  EXPECT_THAT(test::FailsWithBugPutBack(
                  "GoingDistributedTest.AHostThatStopsAnsweringIsGivenUpAndItsTasksRunTwice",
                  "silent_host_never_given_up"),
              IsOk());
}

}  // namespace
}  // namespace mp::concepts
