// The three fast paths of chunk_codec.h (the caller's arguments, a worker's, a job's
// results) read and write arrays; the general path encodes value by value. They must
// agree byte for byte, or a chunk encoded by one is misread by the other.

#include "pool/internal/chunk_codec.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/arg_codec.h"
#include "gtest/gtest.h"
#include "pool/internal/call_inputs.h"

namespace mp::internal {
namespace {

struct Point {
  int32_t x;
  double y;
  bool operator==(const Point&) const = default;
};

// Encodes tasks 1..3 of `values` on the fast path (Map's inputs, an array) and on the
// general path (the same values seen as one-element tuples, which has no array).
template <typename T>
void ExpectFastPathMatchesGeneralPath(const std::vector<T>& values) {
  static_assert(IsRawEncoded<T>());
  std::string fast;
  EncodeChunkArgs<std::tuple<T>>(InputsOfMap(values), 1, 3, fast);

  std::vector<std::tuple<T>> as_tuples;
  for (const T& value : values) as_tuples.emplace_back(value);
  std::string general;
  EncodeChunkArgs<std::tuple<T>>(InputsOfStarmap(as_tuples), 1, 3, general);

  EXPECT_EQ(fast, general);
  EXPECT_EQ(fast.size(), 3 * sizeof(T));
  // And a worker reads it as blocks, each decoding to its value.
  ASSERT_TRUE(ChunkArgsAreBlocks<std::tuple<T>>(fast, 3));
  std::string_view rest = fast;
  for (size_t i = 1; i <= 3; ++i) {
    std::tuple<T> decoded;
    ASSERT_TRUE(DecodeTuple(rest, decoded));
    EXPECT_EQ(std::get<0>(decoded), values[i]);
  }
  // A job reads the same bytes, as results, as an array.
  EXPECT_TRUE(ChunkResultsAreArray<T>(fast, 3, /*any_failed=*/false));
}

TEST(ChunkCodecTest, ArraysOfRawValuesAreTheirEncodingsOneAfterAnother) {
  ExpectFastPathMatchesGeneralPath<int>({1, -2, 3, 4, 5});
  ExpectFastPathMatchesGeneralPath<double>({0.5, -1e300, 3.25, 7, 8});
  ExpectFastPathMatchesGeneralPath<uint8_t>({1, 2, 255, 4, 5});
  ExpectFastPathMatchesGeneralPath<Point>({{1, 2.5}, {3, 4.5}, {-5, 6.5}, {7, 8}, {9, 10}});
}

TEST(ChunkCodecTest, SeveralRawArgumentsMakeOneBlockPerTask) {
  using Params = std::tuple<int32_t, double>;
  static_assert(kArgsAreBlocks<Params>);
  static_assert(kArgsBlockBytes<Params> == sizeof(int32_t) + sizeof(double));
  const std::vector<std::tuple<int32_t, double>> inputs = {{1, 2.0}, {3, 4.0}};
  std::string args;
  EncodeChunkArgs<Params>(InputsOfStarmap(inputs), 0, 2, args);
  EXPECT_TRUE(ChunkArgsAreBlocks<Params>(args, 2));
  EXPECT_FALSE(ChunkArgsAreBlocks<Params>(args, 3));
}

TEST(ChunkCodecTest, ConvertedArgumentsAreEncodedAsTheParameterType) {
  // Map(task taking int64_t, inputs of int): no array copy (the bytes differ), each
  // input converted first.
  const std::vector<int> inputs = {1, 2};
  std::string args;
  EncodeChunkArgs<std::tuple<int64_t>>(InputsOfMap(inputs), 0, 2, args);
  ASSERT_EQ(args.size(), 2 * sizeof(int64_t));
  std::string_view rest = args;
  std::tuple<int64_t> first, second;
  ASSERT_TRUE(DecodeTuple(rest, first));
  ASSERT_TRUE(DecodeTuple(rest, second));
  EXPECT_EQ(std::get<0>(first), 1);
  EXPECT_EQ(std::get<0>(second), 2);
}

TEST(ChunkCodecTest, OtherValuesAreNeverTakenForArrays) {
  using Strings = std::tuple<std::string>;
  static_assert(!kArgsAreBlocks<Strings>);
  const std::vector<std::string> inputs = {"ab", "c"};
  std::string args;
  EncodeChunkArgs<Strings>(InputsOfMap(inputs), 0, 2, args);
  EXPECT_FALSE(ChunkArgsAreBlocks<Strings>(args, 2));
  EXPECT_FALSE(ChunkResultsAreArray<std::string>(args, 2, false));
  std::string_view rest = args;
  std::tuple<std::string> decoded;
  ASSERT_TRUE(DecodeTuple(rest, decoded));
  EXPECT_EQ(std::get<0>(decoded), "ab");
}

TEST(ChunkCodecTest, SizesThatDoNotFitAreReadValueByValue) {
  // A result missing (a task failed) or a damaged length: not an array.
  EXPECT_FALSE(ChunkResultsAreArray<int>(std::string(8, '\0'), 3, false));
  EXPECT_FALSE(ChunkResultsAreArray<int>(std::string(12, '\0'), 3, /*any_failed=*/true));
  EXPECT_FALSE(ChunkArgsAreBlocks<std::tuple<int>>(std::string(13, '\0'), 3));
  // A count from another machine may be anything: no overflow.
  EXPECT_FALSE(ChunkArgsAreBlocks<std::tuple<int>>(std::string(8, '\0'), uint64_t{1} << 62));
}

}  // namespace
}  // namespace mp::internal
