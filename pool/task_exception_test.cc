// A task's exception keeps its type: a fitting status code, and the type, what() and the
// process where it ran in TaskExceptionOf(), in this process (ThreadPool) and from a
// worker process (Pool). (RemotePool: remote_pool_test.)

#include "pool/task_exception.h"

#include <unistd.h>

#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "pool/thread_pool.h"
#include "process/testing/leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Returns a non-negative x; for -1 .. -5, throws one kind of exception each.
int64_t ThrowFor(int64_t x) {
  if (x >= 0) return x;
  switch (-x) {
    case 1: throw std::invalid_argument("bad argument");
    case 2: throw std::out_of_range("out of range");
    case 3: throw std::bad_alloc();
    case 4: throw ParseError("cannot parse");
    case 5: throw 42;  // not a std::exception
  }
  return x;
}
MP_POOL_TASK(ThrowFor);

struct Expected {
  int64_t input;
  absl::StatusCode code;
  std::string type;
  std::string what;
};

const std::vector<Expected>& EveryKind() {
  static const auto* kinds = new std::vector<Expected>{
      {-1, absl::StatusCode::kInvalidArgument, "std::invalid_argument", "bad argument"},
      {-2, absl::StatusCode::kOutOfRange, "std::out_of_range", "out of range"},
      {-3, absl::StatusCode::kResourceExhausted, "std::bad_alloc", "std::bad_alloc"},
      {-4, absl::StatusCode::kUnknown, "mp::(anonymous namespace)::ParseError", "cannot parse"},
      {-5, absl::StatusCode::kUnknown, "(not a std::exception)", ""},
  };
  return *kinds;
}

// Checks each task's error against EveryKind(); `ran_here`: the tasks ran in this process.
template <typename PoolType>
void ExpectEveryKindKeepsItsType(PoolType& pool, bool ran_here) {
  std::vector<int64_t> inputs = {7};
  for (const Expected& kind : EveryKind()) inputs.push_back(kind.input);
  absl::StatusOr<MapResult<int64_t>> async = pool.MapAsync(ThrowFor, inputs, {.chunksize = 2});
  ASSERT_THAT(async, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> each = async->GetEach();
  ASSERT_THAT(each, IsOk());
  EXPECT_THAT((*each)[0], test::IsOkAndHolds(7));
  for (size_t i = 0; i < EveryKind().size(); ++i) {
    const Expected& kind = EveryKind()[i];
    const absl::Status& status = (*each)[i + 1].status();
    EXPECT_EQ(status.code(), kind.code) << status;
    std::optional<TaskException> thrown = TaskExceptionOf(status);
    ASSERT_TRUE(thrown.has_value()) << status;
    EXPECT_EQ(thrown->type, kind.type);
    EXPECT_EQ(thrown->what, kind.what);
    if (ran_here) {
      EXPECT_EQ(thrown->pid, getpid());
    } else {
      EXPECT_NE(thrown->pid, getpid()) << "a worker process's pid";
    }
  }
}

class TaskExceptionTest : public test::LeakCheckedTest {};

TEST_F(TaskExceptionTest, AThreadPoolTasksExceptionKeepsItsType) {
  absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  ExpectEveryKindKeepsItsType(*pool, /*ran_here=*/true);
}

TEST_F(TaskExceptionTest, APoolTasksExceptionKeepsItsTypeFromAWorkerProcess) {
  for (StartMethod method : {StartMethod::kFork, StartMethod::kSpawn, StartMethod::kForkServer}) {
    SCOPED_TRACE(StartMethodName(method));
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .start_method = method});
    ASSERT_THAT(pool, IsOk());
    ExpectEveryKindKeepsItsType(*pool, /*ran_here=*/false);
  }
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  // Map, which fails with the first error, keeps it too.
  absl::StatusOr<std::vector<int64_t>> mapped = pool->Map(ThrowFor, std::vector<int64_t>{0, -2});
  EXPECT_THAT(mapped, StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("std::out_of_range")));
  EXPECT_TRUE(TaskExceptionOf(mapped.status()).has_value());
}

// An error a task returns (not throws) carries no exception.
TEST_F(TaskExceptionTest, AReturnedErrorIsNotAnException) {
  EXPECT_EQ(TaskExceptionOf(absl::InvalidArgumentError("returned")), std::nullopt);
  EXPECT_EQ(TaskExceptionOf(absl::OkStatus()), std::nullopt);
}

}  // namespace
}  // namespace mp
