// The pool's record (process/life_record.h): with MP_POOL_RECORD set, a pool
// writes what it did, as graders read it. Each test empties the record first and reads
// it once the pool is gone.

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/life_record.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "pool/thread_pool.h"
#include "process/hand_off.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

int Double(int x) { return 2 * x; }
MP_POOL_TASK(Double);

std::string RecordPath() { return getenv(internal::kPoolRecordVariable); }

using Event = internal::PoolEvent;

std::vector<Event> ReadRecord() {
  std::ifstream file(RecordPath());
  std::stringstream text;
  text << file.rdbuf();
  return internal::ParsePoolRecord(text.str());
}

std::vector<std::string> Kinds(const std::vector<Event>& events) {
  std::vector<std::string> kinds;
  for (const Event& event : events) {
    // Lines per worker, thread or wait, whose number depends on the run.
    static const std::set<std::string> kNotLifecycle = {"ran", "worker", "thread", "thread_ran",
                                                         "process", "process_exit", "wait", "collected"};
    if (kNotLifecycle.count(event.what) == 0) {
      kinds.push_back(event.what);
    }
  }
  return kinds;
}

class LifeRecordTest : public ::testing::TestWithParam<StartMethod> {
 protected:
  void SetUp() override { ASSERT_TRUE(std::ofstream(RecordPath(), std::ios::trunc).good()); }
};

// Passes when the record has the pool's creation with its worker count, a line per
// started worker, lines from the workers themselves covering every task once, and the
// close and the successful join. (Fails with the record's calls removed from any step.)
TEST_P(LifeRecordTest, APoolThatIsClosedAndJoinedSaysSoAndItsWorkersRanTheTasks) {
  {
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .start_method = GetParam()});
    ASSERT_THAT(pool, IsOk());
    absl::StatusOr<std::vector<int>> doubled = pool->Map(Double, std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {.chunksize = 1});
    ASSERT_THAT(doubled, IsOk());
    pool->Close();
    ASSERT_THAT(pool->Join(), IsOk());
  }
  const std::vector<Event> events = ReadRecord();
  EXPECT_THAT(Kinds(events), ElementsAre("create", "close", "join"));
  std::set<std::string> worker_pids;
  std::set<pid_t> writers_of_tasks;
  std::set<int> tasks_run;
  for (const Event& event : events) {
    if (event.what == "create") {
      EXPECT_EQ(event.writer, getpid());
      EXPECT_EQ(event.fields.at("engine"), "processes");
      EXPECT_EQ(event.fields.at("workers"), "2");
    } else if (event.what == "worker") {
      worker_pids.insert(event.fields.at("pid"));
    } else if (event.what == "ran") {
      EXPECT_EQ(event.fields.at("task"), "Double");
      writers_of_tasks.insert(event.writer);
      int first = 0, count = 0;
      ASSERT_TRUE(absl::SimpleAtoi(event.fields.at("first"), &first));
      ASSERT_TRUE(absl::SimpleAtoi(event.fields.at("count"), &count));
      for (int task = first; task < first + count; ++task) EXPECT_TRUE(tasks_run.insert(task).second);
    } else if (event.what == "join") {
      EXPECT_EQ(event.fields.at("status"), "OK");
    }
  }
  EXPECT_EQ(worker_pids.size(), 2u);
  EXPECT_EQ(tasks_run.size(), 10u);
  EXPECT_EQ(writers_of_tasks.count(getpid()), 0u);
  for (pid_t writer : writers_of_tasks) EXPECT_EQ(worker_pids.count(absl::StrCat(writer)), 1u);
}

INSTANTIATE_TEST_SUITE_P(EveryStartMethod, LifeRecordTest,
                         ::testing::Values(StartMethod::kFork, StartMethod::kSpawn,
                                           StartMethod::kForkServer));

class LifeRecordEndsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(std::ofstream(RecordPath(), std::ios::trunc).good()); }
};

// Passes when a Join() before Close() is recorded with its error, and a pool destroyed
// without a successful Join() says so.
TEST_F(LifeRecordEndsTest, JoinWithoutCloseAndDestructionWithoutJoinAreRecorded) {
  {
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
    ASSERT_THAT(pool, IsOk());
    EXPECT_FALSE(pool->Join().ok());
  }
  std::vector<Event> events = ReadRecord();
  std::erase_if(events, [](const Event& event) { return event.Field("pool").empty(); });  // workers' own lines
  ASSERT_THAT(Kinds(events), ElementsAre("create", "join", "destroy"));
  EXPECT_EQ(events[events.size() - 2].fields.at("status"), "FAILED_PRECONDITION");
  EXPECT_EQ(events.back().fields.at("without"), "join");
}

// Passes when Terminate() is recorded as such, not as a close and join.
TEST_F(LifeRecordEndsTest, TerminateIsRecorded) {
  {
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
    ASSERT_THAT(pool, IsOk());
    pool->Terminate();
    ASSERT_THAT(pool->Join(), IsOk());
  }
  EXPECT_THAT(Kinds(ReadRecord()), ElementsAre("create", "terminate", "join"));
}

// Passes when a ThreadPool says it is one: a grader can tell threads from processes. Its
// threads' chunks are "thread_ran" lines, never "ran" (work done in a worker process,
// which graders count), and carry the thread's id.
TEST_F(LifeRecordEndsTest, AThreadPoolRecordsItsEngine) {
  {
    absl::StatusOr<ThreadPool> pool = ThreadPool::Create({.workers = 3});
    ASSERT_THAT(pool, IsOk());
    ASSERT_THAT(pool->Map(Double, std::vector<int>{1, 2, 3, 4}, {.chunksize = 1}), IsOk());
    pool->Close();
    ASSERT_THAT(pool->Join(), IsOk());
  }
  const std::vector<Event> events = ReadRecord();
  ASSERT_THAT(Kinds(events), ElementsAre("create", "close", "join"));
  EXPECT_EQ(events[0].fields.at("engine"), "threads");
  EXPECT_EQ(events[0].fields.at("workers"), "3");
  int threads = 0, chunks = 0;
  for (const Event& event : events) {
    EXPECT_NE(event.what, "ran") << "a thread's work must not look like a worker process's";
    EXPECT_EQ(event.writer, getpid());
    threads += event.what == "thread";
    if (event.what == "thread_ran") {
      ++chunks;
      EXPECT_NE(event.Field("tid"), "");
      EXPECT_EQ(event.Field("pool"), events[0].Field("pool"));
    }
  }
  EXPECT_EQ(threads, 3);
  EXPECT_EQ(chunks, 4);
}

// RecordPools, the option form of the variable: it switches the record to another file,
// which a new pool's workers (fork()ed) write to as well, and "" stops recording. Fails
// if the switch did nothing (everything stays in the first file) or "" did not stop.
TEST(RecordPoolsTest, SwitchesTheRecordToAnotherFileAndStops) {
  const std::string first = RecordPath();
  const std::string second = absl::StrCat(getenv("TEST_TMPDIR"), "/second_record.txt");
  ASSERT_TRUE(std::ofstream(first, std::ios::trunc).good());
  ASSERT_THAT(RecordPools(second), IsOk());
  EXPECT_EQ(RecordPath(), second) << "spawned workers find the record by the variable";
  auto map_on_a_new_pool = [] {
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 1, .start_method = StartMethod::kFork});
    ASSERT_THAT(pool, IsOk());
    ASSERT_THAT(pool->Map(Double, std::vector<int>{1, 2, 3}, {.chunksize = 1}), IsOk());
    pool->Close();
    ASSERT_THAT(pool->Join(), IsOk());
  };
  map_on_a_new_pool();
  ASSERT_THAT(RecordPools(""), IsOk());
  map_on_a_new_pool();  // recorded nowhere
  ASSERT_THAT(RecordPools(first), IsOk());

  std::ifstream second_file(second);
  std::stringstream text;
  text << second_file.rdbuf();
  const std::vector<Event> switched = internal::ParsePoolRecord(text.str());
  EXPECT_THAT(Kinds(switched), ElementsAre("create", "close", "join"));
  EXPECT_EQ(std::count_if(switched.begin(), switched.end(), [](const Event& e) { return e.what == "ran"; }), 3)
      << "the new pool's worker writes to the new file";
  EXPECT_THAT(ReadRecord(), ::testing::IsEmpty()) << "nothing in the first file, and nothing once stopped";
  EXPECT_FALSE(RecordPools("/no/such/directory/record.txt").ok());
  // Stopped, the file is closed: no descriptor of ours names it.
  const std::string third = absl::StrCat(getenv("TEST_TMPDIR"), "/third_record.txt");
  ASSERT_THAT(RecordPools(third), IsOk());
  ASSERT_THAT(RecordPools(""), IsOk());
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    EXPECT_NE(std::filesystem::read_symlink(entry.path(), error).string(), third) << entry.path();
  }
  ASSERT_THAT(RecordPools(first), IsOk());
}

}  // namespace
}  // namespace mp

// The record's file must be named before any pool exists (it is opened once); spawned
// workers run this main() too and inherit the same variable.
int main(int argc, char** argv) {
  if (getenv(mp::internal::kPoolRecordVariable) == nullptr) {
    const char* dir = getenv("TEST_TMPDIR");
    const std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/pool_record.txt");
    setenv(mp::internal::kPoolRecordVariable, path.c_str(), 1);
  }
  mp::HandOffToLibrary(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
