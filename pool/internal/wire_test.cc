#include "pool/internal/wire.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace mp::internal {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;

TEST(WireTest, AChunkBuiltInPlaceDecodesToWhatWasWritten) {
  std::string message;
  const size_t args_start =
      BeginChunk({.job = 7, .first_index = 256, .count = 2, .task_name = "Double"}, message);
  message.append("arguments");
  EndChunk(args_start, message);
  EXPECT_EQ(message, EncodeChunk({.job = 7, .first_index = 256, .count = 2,
                                  .task_name = "Double", .args = "arguments"}));

  absl::StatusOr<ChunkMessage> chunk = DecodeChunk(message);
  ASSERT_THAT(chunk, IsOk());
  EXPECT_EQ(chunk->job, 7u);
  EXPECT_EQ(chunk->first_index, 256u);
  EXPECT_EQ(chunk->count, 2u);
  EXPECT_EQ(chunk->task_name, "Double");
  EXPECT_EQ(chunk->args, "arguments");
}

TEST(WireTest, ResultsRoundTripWithTheirErrors) {
  std::string message = "old contents are replaced";
  EncodeResults({.job = 1, .first_index = 4, .count = 3, .worker_pid = 99, .run_ns = 1234,
                 .values = "ab", .errors = {{.index = 1, .code = 3, .message = "bad"}}},
                message);
  absl::StatusOr<ResultMessage> results = DecodeResults(message);
  ASSERT_THAT(results, IsOk());
  EXPECT_EQ(results->first_index, 4u);
  EXPECT_EQ(results->count, 3u);
  EXPECT_EQ(results->worker_pid, 99);
  EXPECT_EQ(results->run_ns, 1234u);
  EXPECT_EQ(results->values, "ab");
  ASSERT_EQ(results->errors.size(), 1u);
  EXPECT_EQ(results->errors[0].index, 1u);
  EXPECT_EQ(results->errors[0].code, 3);
  EXPECT_EQ(results->errors[0].message, "bad");
}

TEST(WireTest, EveryTruncationOrExtraByteIsRefused) {
  const std::string chunk = EncodeChunk({.job = 1, .count = 1, .task_name = "T", .args = "x"});
  std::string results;
  EncodeResults({.count = 1, .values = "v", .errors = {{.message = "m"}}}, results);
  for (size_t size = 0; size < chunk.size(); ++size) {
    EXPECT_THAT(DecodeChunk(chunk.substr(0, size)), StatusIs(absl::StatusCode::kDataLoss)) << size;
  }
  for (size_t size = 0; size < results.size(); ++size) {
    EXPECT_THAT(DecodeResults(results.substr(0, size)), StatusIs(absl::StatusCode::kDataLoss))
        << size;
  }
  EXPECT_THAT(DecodeChunk(chunk + "!"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeResults(results + "!"), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace mp::internal
