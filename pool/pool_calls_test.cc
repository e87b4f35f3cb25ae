// The typed calls are written once, over internal::Engine: any engine behind them runs
// them. Here the engine is a few lines that run each chunk at once, in this process, by
// the same registered entry a worker process uses; the tests check what the typed layer
// hands an engine (chunks, names, encoded arguments) and what it checks before.

#include "pool/pool_calls.h"

#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pool/internal/engine.h"
#include "pool/internal/thread_pool_core.h"
#include "pool/pool_task.h"

namespace {

int Square(int x) { return x * x; }
MP_POOL_TASK(Square);

std::string Repeat(std::string text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}
MP_POOL_TASK(Repeat);

int NotRegistered(int x) { return x; }

struct ChunkSeen {
  size_t first;
  size_t count;
  bool operator==(const ChunkSeen&) const = default;
};

// Runs every chunk during Submit(), on the caller's thread.
class InlineEngine final : public mp::internal::Engine {
 public:
  bool RunsTasksHere() const override { return false; }
  absl::Status Submit(const mp::internal::EngineCall& call) override {
    ++submits;
    if (closed) return absl::FailedPreconditionError("closed");
    const auto* tasks = std::get_if<mp::internal::EncodedTasks>(&call.tasks);
    if (tasks == nullptr) return mp::internal::WrongFormOfTasks(RunsTasksHere());
    const mp::internal::PoolTask* task = mp::internal::FindPoolTaskByName(tasks->task_name);
    if (task == nullptr) return absl::NotFoundError("no such task");
    task_names.emplace_back(tasks->task_name);
    std::vector<std::string> encoded;  // encoded here: encode_args is valid only now
    for (size_t first = 0; first < call.job->size(); first += call.chunksize) {
      const size_t count = std::min(call.chunksize, call.job->size() - first);
      tasks->encode_args(first, count, encoded.emplace_back());
      chunks.push_back({first, count});
    }
    // Runs the chunks on a thread of its own, as an engine does, and returns once they
    // are done: every result is in before the call returns, deterministically.
    std::thread runner([&] {
      engine_thread = std::this_thread::get_id();
      size_t chunk = chunks.size() - encoded.size();
      for (const std::string& args : encoded) {
        const ChunkSeen seen = chunks[chunk++];
        std::string values;
        std::vector<mp::internal::TaskError> errors;
        task->run(args, seen.count, values, errors);
        if (call.job->CompleteEncoded(seen.first, seen.count, values, errors)) {
          if (auto on_done = call.job->TakeOnDone()) on_done();
        }
      }
    });
    runner.join();
    return absl::OkStatus();
  }
  void Close() override { closed = true; }
  absl::Status Join(absl::Duration) override { return absl::OkStatus(); }
  void Terminate() override { closed = true; }
  int workers() const override { return 2; }

  int submits = 0;
  bool closed = false;
  std::vector<std::string> task_names;
  std::vector<ChunkSeen> chunks;
  std::thread::id engine_thread;
};

class InlinePool : public mp::PoolCalls<mp::internal::RegisteredTasks> {
 public:
  explicit InlinePool(std::unique_ptr<InlineEngine> engine)
      : PoolCalls(std::move(engine)) {}
  const InlineEngine& seen() const { return static_cast<const InlineEngine&>(engine()); }
};

InlinePool MakePool() { return InlinePool(std::make_unique<InlineEngine>()); }

TEST(PoolCallsTest, AnyEngineRunsTheTypedCalls) {
  InlinePool pool = MakePool();
  EXPECT_THAT(pool.Map(Square, std::vector<int>{1, 2, 3, 4, 5}, {.chunksize = 2}),
              mp::test::IsOkAndHolds(std::vector<int>{1, 4, 9, 16, 25}));
  EXPECT_EQ(pool.seen().chunks, (std::vector<ChunkSeen>{{0, 2}, {2, 2}, {4, 1}}));
  EXPECT_EQ(pool.seen().task_names, std::vector<std::string>{"Square"});

  EXPECT_THAT(pool.Starmap(Repeat, std::vector<std::tuple<std::string, int>>{{"ab", 2}, {"c", 3}}),
              mp::test::IsOkAndHolds(std::vector<std::string>{"abab", "ccc"}));
  EXPECT_THAT(pool.Apply(Repeat, "x", 4), mp::test::IsOkAndHolds(std::string("xxxx")));

  auto stream = pool.Imap(Square, std::vector<int>{3, 4});
  ASSERT_TRUE(stream.ok());
  EXPECT_THAT(stream->Next(), mp::test::IsOkAndHolds(9));
  EXPECT_THAT(stream->Next(), mp::test::IsOkAndHolds(16));
}

TEST(PoolCallsTest, ArgumentsAreConvertedToTheTasksParameterTypes) {
  InlinePool pool = MakePool();
  // const char* and short arguments, for a task taking std::string and int.
  const short times = 2;
  EXPECT_THAT(pool.Apply(Repeat, "yo", times), mp::test::IsOkAndHolds(std::string("yoyo")));
  EXPECT_THAT(pool.Map(Square, std::vector<short>{7}), mp::test::IsOkAndHolds(std::vector<int>{49}));
}

TEST(PoolCallsTest, TheAutomaticChunksizeAsksTheEngineHowManyWorkers) {
  InlinePool pool = MakePool();
  ASSERT_TRUE(pool.Map(Square, std::vector<int>(80, 1)).ok());
  // Python's rule: 80 tasks, 2 workers: chunks of ceil(80 / (2 * 4)) = 10.
  EXPECT_EQ(pool.seen().chunks.size(), 8u);
  EXPECT_EQ(pool.seen().chunks.front(), (ChunkSeen{0, 10}));
}

TEST(PoolCallsTest, CallsThatCannotRunNeverReachTheEngine) {
  InlinePool pool = MakePool();
  EXPECT_THAT(pool.Map(NotRegistered, std::vector<int>{1}),
              mp::test::StatusIs(absl::StatusCode::kFailedPrecondition,
                                    ::testing::HasSubstr("MP_POOL_TASK")));
  EXPECT_THAT(pool.Map(Square, std::vector<int>{1}, {.chunksize = -1}),
              mp::test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(pool.seen().submits, 0);
}

TEST(PoolCallsTest, TheEnginesRefusalIsTheCallsError) {
  InlinePool pool = MakePool();
  pool.Close();
  EXPECT_THAT(pool.MapAsync(Square, std::vector<int>{1}),
              mp::test::StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(pool.ApplyAsync(Square, 1), mp::test::StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(PoolCallsTest, CallbacksAreAttachedBeforeTheEngineRunsAnything) {
  // This engine completes the job before Submit() returns. A callback attached after
  // Submit() would find the job complete and run at once on the calling thread; attached
  // before, it runs on the engine's thread that filed the last result, as promised.
  InlinePool pool = MakePool();
  std::thread::id ran_on;
  auto result = pool.MapAsync(Square, std::vector<int>{2, 3}, {},
                              {.on_success = [&](const std::vector<int>&) { ran_on = std::this_thread::get_id(); }});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->Ready());
  EXPECT_EQ(ran_on, pool.seen().engine_thread);
  EXPECT_NE(ran_on, std::this_thread::get_id());

  ran_on = std::this_thread::get_id();
  auto applied = pool.ApplyAsyncWithCallbacks({.on_success = [&](const int&) { ran_on = std::this_thread::get_id(); }},
                                              Square, 4);
  ASSERT_TRUE(applied.ok());
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(PoolCallsTest, EachEngineRefusesTheOtherFormOfTasks) {
  auto job = std::make_shared<mp::internal::TypedJob<int>>(1);
  // A ThreadPool's engine given encoded tasks...
  mp::internal::ThreadPoolCore threads(1);
  auto encode_nothing = [](size_t, size_t, std::string&) {};
  const mp::internal::EngineCall encoded{job, 1, mp::internal::EncodedTasks{"Square", encode_nothing}};
  EXPECT_THAT(threads.Submit(encoded), mp::test::StatusIs(absl::StatusCode::kInvalidArgument));
  // ...and an engine that moves bytes given a closure.
  InlineEngine bytes;
  const mp::internal::EngineCall closure{job, 1, mp::internal::TasksHere{[](size_t, size_t) { return true; }}};
  EXPECT_THAT(bytes.Submit(closure), mp::test::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(job->Ready());
}

}  // namespace
