#include "ipc/pipe.h"

#include <signal.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/process.h"
#include "process/testing/leak_check.h"
#include "process/wait.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;

// A message whose bytes depend on their position, so a reordering or a cut shows.
std::string PatternOfSize(size_t size) {
  std::string text(size, '\0');
  for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return text;
}

class PipeTest : public test::LeakCheckedTest, public ::testing::WithParamInterface<bool> {};

INSTANTIATE_TEST_SUITE_P(DuplexAndOneWay, PipeTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Duplex" : "OneWay";
                         });

TEST_P(PipeTest, MessagesOfEverySizeArriveWholeFromAnotherProcess) {
  const std::vector<size_t> sizes = {0, 1, 64 * 1024 + 1, 16 << 20};
  absl::StatusOr<PipeEnds> pipe = Pipe(GetParam());
  ASSERT_THAT(pipe, IsOk());
  Connection& receiver = pipe->first;
  Connection& sender = pipe->second;
  Process child([&] {
    receiver.Close();  // the child only sends
    for (size_t size : sizes) {
      if (!sender.Send(PatternOfSize(size)).ok()) return 1;
    }
    return 0;
  });
  ASSERT_THAT(child.Start(), IsOk());
  sender.Close();  // else our own copy would keep the pipe open after the child ends

  // Receive before joining: the 64 KiB + 1 and 16 MiB messages do not fit in the pipe
  // buffer, so the child cannot finish sending (and exit) until we read.
  for (size_t size : sizes) {
    absl::StatusOr<std::string> message = receiver.Recv();
    ASSERT_THAT(message, IsOk()) << size;
    EXPECT_EQ(message->size(), size);
    EXPECT_TRUE(*message == PatternOfSize(size)) << "message of " << size << " bytes differs";
  }
  EXPECT_THAT(receiver.Recv(), StatusIs(absl::StatusCode::kOutOfRange));
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_EQ(child.exit_code(), 0);
}

TEST_P(PipeTest, SendingToAClosedReceiverIsAnErrorNotSigpipe) {
  absl::StatusOr<PipeEnds> pipe = Pipe(GetParam());
  ASSERT_THAT(pipe, IsOk());
  pipe->first.Close();
  // Were SIGPIPE raised, this test process would die here.
  EXPECT_THAT(pipe->second.Send("anyone there?"), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_P(PipeTest, SenderDyingMidMessageIsDataLoss) {
  absl::StatusOr<PipeEnds> pipe = Pipe(GetParam());
  ASSERT_THAT(pipe, IsOk());
  // A length that promises 100 bytes, then only 3, then the end.
  const uint64_t promised = 100;
  ASSERT_THAT(pipe->second.SendBytes(std::string(reinterpret_cast<const char*>(&promised),
                                                 sizeof promised) + "abc"),
              IsOk());
  pipe->second.Close();
  EXPECT_THAT(pipe->first.Recv(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_P(PipeTest, ACorruptLengthIsDataLossWithoutAHugeAllocation) {
  absl::StatusOr<PipeEnds> pipe = Pipe(GetParam());
  ASSERT_THAT(pipe, IsOk());
  const uint64_t absurd = ~uint64_t{0};
  ASSERT_THAT(pipe->second.SendBytes(
                  std::string(reinterpret_cast<const char*>(&absurd), sizeof absurd)),
              IsOk());
  EXPECT_THAT(pipe->first.Recv(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_P(PipeTest, PollSaysWhetherAMessageIsWaiting) {
  absl::StatusOr<PipeEnds> pipe = Pipe(GetParam());
  ASSERT_THAT(pipe, IsOk());
  EXPECT_EQ(pipe->first.Poll(absl::ZeroDuration()).value_or(true), false);
  ASSERT_THAT(pipe->second.Send("x"), IsOk());
  EXPECT_EQ(pipe->first.Poll(absl::Seconds(30)).value_or(false), true);
  EXPECT_THAT(pipe->first.Poll(absl::Seconds(-1)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(PipeTest, RawBytesKeepTheirOrder) {
  absl::StatusOr<PipeEnds> pipe = Pipe(GetParam());
  ASSERT_THAT(pipe, IsOk());
  ASSERT_THAT(pipe->second.SendBytes("hello, "), IsOk());
  ASSERT_THAT(pipe->second.SendBytes("world"), IsOk());
  pipe->second.Close();
  std::string received;
  while (true) {
    absl::StatusOr<std::string> bytes = pipe->first.RecvBytes(4);
    if (absl::IsOutOfRange(bytes.status())) break;
    ASSERT_THAT(bytes, IsOk());
    EXPECT_LE(bytes->size(), 4u);
    received += *bytes;
  }
  EXPECT_EQ(received, "hello, world");
}

// Passes when mp::Wait() over a pipe end and a process's sentinel returns whichever is
// ready: the message, while the child still runs; then the child's end.
TEST_P(PipeTest, WaitWatchesAPipeAndAProcessTogether) {
  absl::StatusOr<PipeEnds> pipe = Pipe(/*duplex=*/GetParam());
  ASSERT_THAT(pipe, IsOk());
  absl::StatusOr<PipeEnds> go = Pipe(/*duplex=*/false);
  ASSERT_THAT(go, IsOk());
  Process child([&] {
    if (!pipe->second.Send("news").ok()) return 1;
    return go->first.Recv().ok() ? 0 : 2;  // until told to go
  });
  ASSERT_THAT(child.Start(), IsOk());
  absl::StatusOr<int> ended = child.sentinel();
  ASSERT_THAT(ended, IsOk());
  const int message = pipe->first.fileno();
  EXPECT_THAT(Wait({message, *ended}), IsOkAndHolds(ElementsAre(message)));
  EXPECT_THAT(pipe->first.Recv(), IsOkAndHolds("news"));
  ASSERT_THAT(go->second.Send("go"), IsOk());
  EXPECT_THAT(Wait({*ended}), IsOkAndHolds(ElementsAre(*ended)));
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_EQ(child.exit_code(), 0);
}

TEST_F(PipeTest, OneWayEndsRefuseTheWrongDirection) {
  absl::StatusOr<PipeEnds> pipe = Pipe(/*duplex=*/false);
  ASSERT_THAT(pipe, IsOk());
  EXPECT_THAT(pipe->first.Send("x"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(pipe->second.Recv(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(PipeTest, DuplexEndsTalkBothWays) {
  absl::StatusOr<PipeEnds> pipe = Pipe();
  ASSERT_THAT(pipe, IsOk());
  Connection& parent_end = pipe->first;
  Connection& child_end = pipe->second;
  Process echo([&] {
    parent_end.Close();
    absl::StatusOr<std::string> question = child_end.Recv();
    return question.ok() && child_end.Send("echo: " + *question).ok() ? 0 : 1;
  });
  ASSERT_THAT(echo.Start(), IsOk());
  child_end.Close();
  ASSERT_THAT(parent_end.Send("ping"), IsOk());
  EXPECT_EQ(parent_end.Recv().value_or(""), "echo: ping");
  ASSERT_THAT(echo.Join(), IsOk());
  EXPECT_EQ(echo.exit_code(), 0);
}

TEST_F(PipeTest, RandomGarbageNeverCrashesTheReceiver) {
  // A bounded randomized test of the framing: any byte sequence yields messages or
  // an error status, never a crash or an out-of-bounds read (ASan checks the latter).
  std::mt19937_64 random(20261126);
  for (int round = 0; round < 500; ++round) {
    absl::StatusOr<PipeEnds> pipe = Pipe();
    ASSERT_THAT(pipe, IsOk());
    std::string garbage(random() % 64, '\0');
    for (char& byte : garbage) byte = static_cast<char>(random() % 4 == 0 ? random() : 0);
    ASSERT_THAT(pipe->second.SendBytes(garbage), IsOk());
    pipe->second.Close();
    for (int message = 0; message < 100; ++message) {
      absl::StatusOr<std::string> received = pipe->first.Recv();
      if (!received.ok()) {
        EXPECT_THAT(received.status().code(),
                    ::testing::AnyOf(absl::StatusCode::kOutOfRange, absl::StatusCode::kDataLoss));
        break;
      }
    }
  }
}

}  // namespace
}  // namespace mp
