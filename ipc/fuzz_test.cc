// Bounded-time fuzzing of what reads untrusted bytes: the codec (mp::Decode) and the
// pipe's message framing (Connection::Recv). A small mutation fuzzer, written out here
// so that it runs under the default toolchain (gcc) and --config=asan in .ci/run, where
// any read outside the input is a sanitizer report: start from valid encodings, damage
// them (flip, cut, splice, insert runs of 0x00 or 0xff, which make huge counts), and
// check that every result is a value or a DataLoss/InvalidArgument status.
//
// Deterministic: a fixed seed, so a failure replays. MP_FUZZ_SECONDS (default 2) bounds
// each test's time; MP_FUZZ_SEED changes the seed to explore further.

#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/codec.h"
#include "ipc/pipe.h"
#include "ipc/task_service.pb.h"
#include "ipc/testing/fuzz_budget.h"
#include "process/testing/leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::testing::AnyOf;

// Runs `one_input(random)` until the time budget is spent; returns how many ran.
template <typename OneInput>
int64_t FuzzFor(OneInput one_input) {
  std::mt19937_64 random(test::FuzzSeed(20261126));
  const absl::Time stop = absl::Now() + test::FuzzTime();
  int64_t inputs = 0;
  while (absl::Now() < stop && !::testing::Test::HasFailure()) {
    for (int i = 0; i < 64; ++i, ++inputs) one_input(random);
  }
  ::testing::Test::RecordProperty("inputs", std::to_string(inputs));
  return inputs;
}

// A damaged copy of `seed`: a few random edits of the kinds that break decoders.
std::string Mutate(std::string bytes, std::mt19937_64& random) {
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int edit = 0; edit < edits; ++edit) {
    const size_t at = bytes.empty() ? 0 : random() % (bytes.size() + 1);
    switch (random() % 6) {
      case 0:  // flip bits of one byte
        if (at < bytes.size()) bytes[at] = static_cast<char>(bytes[at] ^ (1 << (random() % 8)));
        break;
      case 1:  // cut the rest
        bytes.resize(at);
        break;
      case 2:  // a run of 0xff: counts and lengths near 2^64
        bytes.insert(at, 1 + random() % 9, '\xff');
        break;
      case 3:  // a run of zeros: empty containers, or zero lengths
        bytes.insert(at, 1 + random() % 9, '\0');
        break;
      case 4: {  // splice in a copy of another part
        if (bytes.empty()) break;
        const size_t from = random() % bytes.size();
        bytes.insert(at, bytes.substr(from, random() % 16));
        break;
      }
      default:  // a random byte
        bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(random()));
    }
  }
  return bytes;
}

struct Point {
  int32_t x;
  double y;
  bool operator==(const Point&) const = default;
};

using Nested = std::map<std::string, std::vector<std::pair<int32_t, std::string>>>;
using Mixed = std::unordered_map<int64_t, std::pair<std::string, Point>>;

// Decodes `bytes` as T: a value, or DataLoss / InvalidArgument. A value must survive a
// round trip of its own: encoded again, it decodes to a value that encodes the same
// (for unordered maps, whose order may differ, only that it decodes).
template <typename T>
void ExpectValueOrCleanError(const std::string& bytes) {
  absl::StatusOr<T> decoded = Decode<T>(bytes);
  if (!decoded.ok()) {
    ASSERT_THAT(decoded.status().code(),
                AnyOf(absl::StatusCode::kDataLoss, absl::StatusCode::kInvalidArgument))
        << decoded.status();
    return;
  }
  const std::string encoded = Encode(*decoded);
  absl::StatusOr<T> again = Decode<T>(encoded);
  ASSERT_THAT(again, IsOk());
  if constexpr (!std::is_same_v<T, Mixed>) {
    ASSERT_EQ(Encode(*again), encoded);
  }
}

TEST(FuzzTest, TheCodecTurnsDamagedInputIntoValuesOrErrors) {
  ipc::TaskRequest request;
  request.set_task_name("square");
  request.set_payload(std::string("\0\1\2\xff", 4));
  const std::vector<std::string> seeds = {
      Encode(Nested{{"a", {{1, "x"}, {2, ""}}}, {"", {}}}),
      Encode(Mixed{{7, {"seven", Point{7, 0.5}}}, {-1, {"", Point{}}}}),
      Encode(std::vector<ipc::TaskRequest>{request, request}),
      Encode(std::vector<std::string>{"", "abc", std::string(300, 'z')}),
      std::string(),
  };
  int64_t inputs = FuzzFor([&](std::mt19937_64& random) {
    const std::string bytes = Mutate(seeds[random() % seeds.size()], random);
    ExpectValueOrCleanError<Nested>(bytes);
    ExpectValueOrCleanError<Mixed>(bytes);
    ExpectValueOrCleanError<std::vector<ipc::TaskRequest>>(bytes);
    ExpectValueOrCleanError<std::vector<std::string>>(bytes);
    ExpectValueOrCleanError<std::pair<std::string, Point>>(bytes);
  });
  EXPECT_GT(inputs, 0);
}

class PipeFuzzTest : public test::LeakCheckedTest {};

// Passes when a receiver fed damaged frames (lengths up to 2^64, cut messages) gets
// whole messages or a clean status, and never a crash or a giant allocation.
TEST_F(PipeFuzzTest, FramingTurnsDamagedStreamsIntoMessagesOrErrors) {
  // Three valid frames, as Send() writes them: an 8-byte length, then the bytes.
  auto frame = [](const std::string& message) {
    uint64_t length = message.size();
    return std::string(reinterpret_cast<const char*>(&length), sizeof(length)) + message;
  };
  const std::string seed = frame("hello") + frame("") + frame(std::string(100, 'm'));
  int64_t inputs = FuzzFor([&](std::mt19937_64& random) {
    absl::StatusOr<PipeEnds> pipe = Pipe(/*duplex=*/false);
    ASSERT_THAT(pipe, IsOk());
    // Small enough to sit in the pipe's buffer, so one thread can write, then read.
    ASSERT_THAT(pipe->second.SendBytes(Mutate(seed, random)), IsOk());
    pipe->second.Close();
    for (int message = 0; message < 16; ++message) {
      absl::StatusOr<std::string> received = pipe->first.Recv();
      if (received.ok()) continue;
      ASSERT_THAT(received.status().code(),
                  AnyOf(absl::StatusCode::kOutOfRange, absl::StatusCode::kDataLoss))
          << received.status();
      break;
    }
  });
  EXPECT_GT(inputs, 0);
}

}  // namespace
}  // namespace mp
