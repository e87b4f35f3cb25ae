#include "ipc/codec.h"

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/task_service.pb.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;

struct Point {
  int32_t x;
  double y;
  bool operator==(const Point&) const = default;
};

template <typename T>
void ExpectRoundTrip(const T& value) {
  absl::StatusOr<T> copy = Decode<T>(Encode(value));
  ASSERT_THAT(copy, IsOk());
  EXPECT_TRUE(*copy == value);
}

TEST(CodecTest, EveryKindOfEncodableValueSurvivesARoundTrip) {
  ExpectRoundTrip(42);
  ExpectRoundTrip(-1.5);
  ExpectRoundTrip(Point{3, 4.5});
  ExpectRoundTrip(std::string("hello\0world", 11));
  ExpectRoundTrip(std::string());
  ExpectRoundTrip(std::vector<std::string>{"a", "", "ccc"});
  ExpectRoundTrip(std::map<std::string, std::vector<int>>{{"odd", {1, 3}}, {"none", {}}});
  ExpectRoundTrip(std::unordered_map<int, Point>{{1, {1, 1.0}}, {2, {2, 2.0}}});
  ExpectRoundTrip(std::pair<std::string, int64_t>{"answer", 42});
  ExpectRoundTrip(std::vector<std::vector<uint8_t>>{{}, {1, 2, 3}});
}

TEST(CodecTest, ProtobufMessagesRoundTripAloneAndInsideContainers) {
  ipc::TaskRequest request;
  request.set_task_name("square");
  request.set_payload(std::string("\x07\x00", 2));
  absl::StatusOr<ipc::TaskRequest> copy = Decode<ipc::TaskRequest>(Encode(request));
  ASSERT_THAT(copy, IsOk());
  EXPECT_EQ(copy->task_name(), "square");
  EXPECT_EQ(copy->payload(), request.payload());

  std::map<std::string, ipc::TaskRequest> by_name = {{"first", request}};
  absl::StatusOr<std::map<std::string, ipc::TaskRequest>> map_copy =
      Decode<std::map<std::string, ipc::TaskRequest>>(Encode(by_name));
  ASSERT_THAT(map_copy, IsOk());
  EXPECT_EQ(map_copy->at("first").task_name(), "square");
}

TEST(CodecTest, EveryTruncationIsDataLoss) {
  const std::string bytes =
      Encode(std::map<std::string, std::vector<int>>{{"key", {1, 2, 3}}, {"k2", {}}});
  for (size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_THAT((Decode<std::map<std::string, std::vector<int>>>(bytes.substr(0, length))),
                StatusIs(absl::StatusCode::kDataLoss))
        << "prefix of " << length << " bytes";
  }
}

TEST(CodecTest, LeftoverBytesAreInvalidArgument) {
  EXPECT_THAT(Decode<int32_t>(Encode(int64_t{7})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CodecTest, AHugeCountIsDataLossWithoutAHugeAllocation) {
  std::string bytes = Encode(uint64_t{1} << 60);  // a vector "of 2^60 elements"
  bytes += "abc";
  EXPECT_THAT(Decode<std::vector<Point>>(bytes), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Decode<std::string>(bytes), StatusIs(absl::StatusCode::kDataLoss));
}

// Garbage of every kind, for a bounded time: fuzz_test.cc.

}  // namespace
}  // namespace mp
