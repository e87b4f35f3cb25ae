// Imap over lazy inputs (lazy_stream.h): results in order, inputs pulled only a buffer
// ahead, a failing source ending the stream after the results it gave, and memory that
// stays flat over a hundred million inputs.

#include "pool/lazy_stream.h"

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "pool/thread_pool.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;

int64_t Square(int64_t x) { return x * x; }
MP_POOL_TASK(Square);

// 0, 1, 2, ... up to `count` inputs, counting how many were pulled; after `fail_after`
// inputs (if set) it fails instead.
InputSource<int64_t> Counting(int64_t count, int64_t* pulled,
                              std::optional<int64_t> fail_after = std::nullopt) {
  return [count, pulled, fail_after]() -> absl::StatusOr<std::optional<int64_t>> {
    if (fail_after.has_value() && *pulled == *fail_after) {
      return absl::DataLossError("the input file is truncated");
    }
    if (*pulled == count) return std::nullopt;
    return (*pulled)++;
  };
}

template <typename P>
class LazyStreamTest : public test::IpcLeakCheckedTest {};

using Engines = ::testing::Types<Pool, ThreadPool>;
TYPED_TEST_SUITE(LazyStreamTest, Engines);

// Passes when every result comes, in input order, while the inputs pulled never run more
// than the buffer ahead of the results taken.
TYPED_TEST(LazyStreamTest, ResultsComeInOrderAndInputsArePulledOnlyABufferAhead) {
  absl::StatusOr<TypeParam> pool = TypeParam::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  constexpr int64_t kInputs = 10'000;
  constexpr int64_t kBuffer = 100;
  int64_t pulled = 0;
  auto squares = pool->ImapLazy(Square, Counting(kInputs, &pulled), {.buffersize = kBuffer});
  for (int64_t taken = 0; taken < kInputs; ++taken) {
    ASSERT_THAT(squares.Next(), IsOkAndHolds(taken * taken));
    ASSERT_LE(pulled - (taken + 1), kBuffer) << "pulled too far ahead after " << taken + 1;
  }
  EXPECT_THAT(squares.Next(), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_EQ(pulled, kInputs);
}

// Passes when the unordered stream gives every result once.
TYPED_TEST(LazyStreamTest, TheUnorderedStreamGivesEveryResultOnce) {
  absl::StatusOr<TypeParam> pool = TypeParam::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  int64_t pulled = 0;
  auto squares = pool->ImapUnorderedLazy(Square, Counting(1000, &pulled), {.buffersize = 64});
  std::vector<int> seen(1000, 0);
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<int64_t> square = squares.Next();
    ASSERT_THAT(square, IsOk());
    for (int64_t x = 0; x < 1000; ++x) seen[x] += x * x == *square ? 1 : 0;
  }
  EXPECT_THAT(squares.Next(), StatusIs(absl::StatusCode::kOutOfRange));
  for (int64_t x = 0; x < 1000; ++x) EXPECT_EQ(seen[x], 1) << x;
}

// CPython's test_imap_handle_iterable_exception: a source that fails mid-way gives the
// results of the inputs before the failure, then its error, then the end.
TYPED_TEST(LazyStreamTest, ASourceThatFailsEndsTheStreamAfterItsResults) {
  absl::StatusOr<TypeParam> pool = TypeParam::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  int64_t pulled = 0;
  auto squares = pool->ImapLazy(Square, Counting(1000, &pulled, /*fail_after=*/50),
                                {.buffersize = 16});
  for (int64_t x = 0; x < 50; ++x) ASSERT_THAT(squares.Next(), IsOkAndHolds(x * x));
  EXPECT_THAT(squares.Next(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(squares.Next(), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_EQ(pulled, 50);
}

// The largest resident set this process has had, in KiB (VmHWM).
int64_t PeakResidentKib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// Passes when a hundred million inputs stream through a pool with the peak resident set
// growing by less than 64 MiB: held in a vector, the inputs alone would take 800 MB.
// That many in an optimized build (bazel test -c opt); an unoptimized build, where each
// result costs ten times as much, streams ten million (80 MB as a vector). Under a
// sanitizer it streams two million and checks only the results.
TEST(LazyStreamMemoryTest, AHundredMillionInputsStreamInFlatMemory) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  constexpr int64_t kInputs = 2'000'000;
#elif defined(__OPTIMIZE__)
  constexpr int64_t kInputs = 100'000'000;
#else
  constexpr int64_t kInputs = 10'000'000;
#endif
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  const int64_t peak_before = PeakResidentKib();
  ASSERT_GT(peak_before, 0);
  int64_t pulled = 0;
  auto same = pool->ImapLazy([](int64_t x) { return x; }, Counting(kInputs, &pulled),
                             {.buffersize = 1 << 16});
  int64_t sum = 0;
  for (int64_t i = 0; i < kInputs; ++i) {
    absl::StatusOr<int64_t> x = same.Next();
    ASSERT_THAT(x, IsOk());
    sum += *x;
  }
  EXPECT_EQ(sum, kInputs * (kInputs - 1) / 2);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // A sanitizer keeps freed memory aside (ASan's quarantine holds up to 256 MB) and adds
  // shadow memory, so the resident set says nothing about the stream here.
  GTEST_SKIP() << "peak memory is not measured under a sanitizer; the results were checked";
#else
  const int64_t growth_kib = PeakResidentKib() - peak_before;
  EXPECT_LT(growth_kib, 64 * 1024) << "the peak resident set grew by " << growth_kib << " KiB";
#endif
}

}  // namespace
}  // namespace mp
