// Proves the claims of this lesson's README, one test per claim.

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "ipc/event.h"
#include "ipc/pipe.h"
#include "ipc/queue.h"
#include "ipc/shared_value.h"
#include "ipc/task_service.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"
#include "process/testing/counterfactual.h"
#include "process/testing/spawned_program.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::Optional;

constexpr absl::Duration kGenerous = absl::Seconds(30);

class IpcTest : public test::IpcLeakCheckedTest {};

// Claim 1: a pipe carries whole messages, in order, even ones larger than its buffer.
TEST_F(IpcTest, APipeCarriesWholeMessagesInOrderEvenLargerThanItsBuffer) {
  absl::StatusOr<PipeEnds> pipe = Pipe();
  ASSERT_THAT(pipe, IsOk());
  const std::vector<std::string> messages = {"hello", std::string(64 * 1024 + 1, 'a'),
                                             std::string(size_t{1} << 20, 'b'), ""};
  Process sender([&] {
    for (const std::string& message : messages) {
      if (!pipe->second.Send(message).ok()) return 1;
    }
    return 0;
  });
  ASSERT_THAT(sender.Start(), IsOk());
  for (const std::string& message : messages) {
    EXPECT_THAT(pipe->first.Recv(), IsOkAndHolds(message));  // before Join: see pipe.h
  }
  // (Bounded: without frames the sender is left blocked on bytes nobody reads.)
  ASSERT_THAT(sender.Join(internal::BoundOnWaits(kGenerous)), IsOk());
  EXPECT_THAT(sender.exit_code(), Optional(0));
}

// Claim 1, counterfactual: without the length before each message, a receiver gets
// whatever one read(2) returns: part of a message, or parts of two.
TEST_F(IpcTest, UnframedMessagesFailClaim1) {
  EXPECT_THAT(
      test::FailsWithBugPutBack("IpcTest.APipeCarriesWholeMessagesInOrderEvenLargerThanItsBuffer",
                                "pipe_without_frames"),
      IsOk());
}

// Claim 2: when the other side has closed the pipe (or exited), Recv() reports end of
// file instead of waiting forever.
TEST_F(IpcTest, ARecvAfterTheSenderIsGoneIsEndOfFileNotAHang) {
  absl::StatusOr<PipeEnds> pipe = Pipe(/*duplex=*/false);
  ASSERT_THAT(pipe, IsOk());
  Process sender([&] { return pipe->second.Send("last words").ok() ? 0 : 1; });
  ASSERT_THAT(sender.Start(), IsOk());
  pipe->second.Close();  // our copy of the sending end; the child's goes when it exits
  ASSERT_THAT(sender.Join(), IsOk());
  EXPECT_THAT(pipe->first.Recv(), IsOkAndHolds("last words"));
  EXPECT_THAT(pipe->first.Recv(), StatusIs(absl::StatusCode::kOutOfRange));
}

// Claim 2, counterfactual: a parent that keeps its own copy of the sending end never sees
// end of file, even after the sender has exited: the pipe still has a writer (us), so
// there is nothing to read and no end either (Recv() would wait forever).
TEST_F(IpcTest, WhileTheParentKeepsItsCopyOfTheSendingEndThereIsNoEndOfFile) {
  absl::StatusOr<PipeEnds> pipe = Pipe(/*duplex=*/false);
  ASSERT_THAT(pipe, IsOk());
  Process sender([&] { return pipe->second.Send("last words").ok() ? 0 : 1; });
  ASSERT_THAT(sender.Start(), IsOk());
  ASSERT_THAT(sender.Join(), IsOk());  // the sender is gone; our copy of its end is not
  EXPECT_THAT(pipe->first.Recv(), IsOkAndHolds("last words"));
  EXPECT_THAT(pipe->first.Poll(absl::ZeroDuration()), IsOkAndHolds(false))
      << "neither data nor end of file: Recv() would block";
  pipe->second.Close();
  EXPECT_THAT(pipe->first.Recv(), StatusIs(absl::StatusCode::kOutOfRange)) << "now it ends";
}

// Claim 3: a read-modify-write of shared memory without a lock can lose an update. The
// test forces the bad interleaving with two events: A reads, B reads-adds-writes, A
// writes what it computed from its stale read.
TEST_F(IpcTest, ReadModifyWriteWithoutALockCanLoseAnUpdate) {
  absl::StatusOr<RawSharedValue<int64_t>> counter = RawSharedValue<int64_t>::Create(0);
  absl::StatusOr<Event> a_has_read = Event::Create();
  absl::StatusOr<Event> b_has_written = Event::Create();
  ASSERT_THAT(counter, IsOk());
  ASSERT_THAT(a_has_read, IsOk());
  ASSERT_THAT(b_has_written, IsOk());
  Process a([&] {
    std::atomic_ref<int64_t> value(**counter);
    const int64_t seen = value.load();
    a_has_read->Set();
    if (!b_has_written->Wait(kGenerous).ok()) return 1;
    value.store(seen + 1);
    return 0;
  });
  Process b([&] {
    if (!a_has_read->Wait(kGenerous).ok()) return 1;
    std::atomic_ref<int64_t> value(**counter);
    value.store(value.load() + 1);
    b_has_written->Set();
    return 0;
  });
  ASSERT_THAT(a.Start(), IsOk());
  ASSERT_THAT(b.Start(), IsOk());
  ASSERT_THAT(a.Join(), IsOk());
  ASSERT_THAT(b.Join(), IsOk());
  EXPECT_EQ(**counter, 1) << "two increments, one lost";
}

// Claim 4: the same increments under a lock (SharedValue::Update) lose nothing.
TEST_F(IpcTest, IncrementsUnderTheLockLoseNothing) {
  constexpr int kChildren = 4;
  constexpr int kIncrements = 5'000;
  absl::StatusOr<SharedValue<int64_t>> counter = SharedValue<int64_t>::Create(0);
  ASSERT_THAT(counter, IsOk());
  std::vector<Process> children;
  for (int i = 0; i < kChildren; ++i) {
    children.emplace_back([&] {
      for (int n = 0; n < kIncrements; ++n) {
        if (!counter->Update([](int64_t& value) { ++value; }).ok()) return 1;
      }
      return 0;
    });
  }
  for (Process& child : children) ASSERT_THAT(child.Start(), IsOk());
  for (Process& child : children) {
    ASSERT_THAT(child.Join(), IsOk());
    EXPECT_THAT(child.exit_code(), Optional(0));
  }
  EXPECT_THAT(counter->Load(), IsOkAndHolds(kChildren * kIncrements));
}

// Claim 5: a queue delivers every item of every producer exactly once.
TEST_F(IpcTest, AQueueDeliversEveryItemOfEveryProducerOnce) {
  constexpr int kProducers = 3;
  constexpr int kItemsEach = 500;
  absl::StatusOr<Queue<int64_t>> queue = Queue<int64_t>::Create();
  ASSERT_THAT(queue, IsOk());
  std::vector<Process> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&queue, p] {
      for (int i = 0; i < kItemsEach; ++i) {
        if (!queue->Put(int64_t{p} * kItemsEach + i, kGenerous).ok()) return 1;
      }
      return 0;
    });
  }
  for (Process& producer : producers) ASSERT_THAT(producer.Start(), IsOk());
  std::multiset<int64_t> received;
  for (int i = 0; i < kProducers * kItemsEach; ++i) {
    absl::StatusOr<int64_t> item = queue->Get(kGenerous);
    ASSERT_THAT(item, IsOk());
    received.insert(*item);
  }
  for (Process& producer : producers) ASSERT_THAT(producer.Join(), IsOk());
  EXPECT_THAT(queue->Get(absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_EQ(received.size(), static_cast<size_t>(kProducers * kItemsEach));
  for (int64_t item = 0; item < kProducers * kItemsEach; ++item) {
    EXPECT_EQ(received.count(item), 1u) << item;
  }
}

// Claim 5, counterfactual: a Get() that copies the item out but leaves it in the queue
// hands out the first item again and again, and never the rest.
TEST_F(IpcTest, AGetThatLeavesTheItemFailsClaim5) {
  EXPECT_THAT(test::FailsWithBugPutBack("IpcTest.AQueueDeliversEveryItemOfEveryProducerOnce",
                                        "queue_get_leaves_the_item"),
              IsOk());
}

// Claim 7: over gRPC, a named task runs in another process (here a server on an abstract
// Unix socket) and its result comes back with that process's pid; an unknown task is
// NotFound.
TEST(IpcGrpcTest, AGrpcCallRunsTheTaskInAnotherProcess) {
  const std::string address = absl::StrCat("unix-abstract:mp-concepts-ipc-test-", getpid());
  absl::StatusOr<test::SpawnedProgram> server =
      test::SpawnedProgram::Start(test::Runfile("ipc/task_service_server"), {"--address=" + address});
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT(server->ReadLine(kGenerous), IsOkAndHolds("listening on " + address));
  {
    std::unique_ptr<ipc::TaskService::Stub> stub =
        ipc::TaskService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    absl::StatusOr<TaskResult> reversed = RunRemoteTask(*stub, "reverse", "stressed", kGenerous);
    ASSERT_THAT(reversed, IsOk());
    EXPECT_EQ(reversed->result, "desserts");
    EXPECT_EQ(reversed->worker_pid, server->pid());
    EXPECT_THAT(RunRemoteTask(*stub, "no_such_task", "", kGenerous),
                StatusIs(absl::StatusCode::kNotFound));
  }  // the connection closes first: the server waits for idle clients on shutdown
  server->CloseStdin();
  EXPECT_THAT(server->Wait(kGenerous), IsOkAndHolds(0));
}

}  // namespace
}  // namespace mp
