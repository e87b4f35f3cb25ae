// Tests of the timeline drawn from a real pool's record: a 2-worker pool maps 40 tasks in
// chunks of 4, and the task for input 13 kills its worker the first time it runs (the
// chunk is retried). The Chrome trace must keep the trace event format's rules
// (trace_format.h), with one complete event per chunk that ran, each ending after it
// began; the SVG one bar per chunk and one death mark. The format checker is shown to
// fail on each rule broken on purpose.
//
// Counterfactuals, run by hand: without start_us in the worker's "ran" line every chunk
// has zero duration (ChunksHaveDurations fails); without the pool's "exit" line no death
// is marked (TheKilledWorkerIsMarked fails).

#include "pool/trace/timeline.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/json.h"
#include "base/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "process/life_record.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "pool/thread_pool.h"
#include "process/process.h"
#include "pool/trace/trace_format.h"

namespace mp::trace {
namespace {

// Kills its own worker the first time it sees 13 (a marker file says it has).
int SquareButDieOnceAt13(int x) {
  if (x == 13) {
    const std::string marker = absl::StrCat(getenv("TEST_TMPDIR"), "/died_once");
    const int fd = open(marker.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) kill(getpid(), SIGKILL);
  }
  return x * x;
}
MP_POOL_TASK(SquareButDieOnceAt13);

int ExitWith(int code) { return code; }

std::string ReadFile(const std::string& path) {
  std::string text;
  char buffer[4096];
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  for (ssize_t got; fd >= 0 && (got = read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, got);
  if (fd >= 0) close(fd);
  return text;
}

class TimelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string record = absl::StrCat(getenv("TEST_TMPDIR"), "/pool.record");
    setenv(internal::kPoolRecordVariable, record.c_str(), 1);
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .retries = 1});
    ASSERT_TRUE(pool.ok()) << pool.status();
    std::vector<int> inputs;
    for (int i = 0; i < 40; ++i) inputs.push_back(i);
    absl::StatusOr<std::vector<int>> squares = pool->Map(SquareButDieOnceAt13, inputs, {.chunksize = 4});
    ASSERT_TRUE(squares.ok()) << squares.status();
    pool->Close();
    ASSERT_TRUE(pool->Join(absl::Seconds(60)).ok());
    // A second pool in the same record, which the first pool's timeline must leave out.
    absl::StatusOr<Pool> second = Pool::Create({.workers = 1});
    ASSERT_TRUE(second.ok()) << second.status();
    ASSERT_TRUE(second->Map(SquareButDieOnceAt13, std::vector<int>{1, 2, 3}, {.chunksize = 1}).ok());
    second->Close();
    ASSERT_TRUE(second->Join(absl::Seconds(60)).ok());
    // A third: a ThreadPool, whose workers are threads of this process.
    absl::StatusOr<ThreadPool> threads = ThreadPool::Create({.workers = 2});
    ASSERT_TRUE(threads.ok()) << threads.status();
    ASSERT_TRUE(threads->Map(SquareButDieOnceAt13, std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {.chunksize = 3}).ok());
    threads->Close();
    ASSERT_TRUE(threads->Join(absl::Seconds(60)).ok());
    // Two plain processes, which end with exit codes 0 and 3.
    for (int code : {0, 3}) {
      Process process(ExitWith, code);
      ASSERT_TRUE(process.Start().ok());
      ASSERT_TRUE(process.Join().ok());
      plain_pids_.push_back(*process.pid());
    }
    events_ = new std::vector<internal::PoolEvent>(internal::ParsePoolRecord(ReadFile(record)));
    timeline_ = new Timeline(FromPoolRecord(events(), absl::StrCat(getpid(), ".1")));
    second_ = new Timeline(FromPoolRecord(events(), absl::StrCat(getpid(), ".2")));
    threads_ = new Timeline(FromPoolRecord(events(), absl::StrCat(getpid(), ".3")));
    both_ = new Timeline(FromPoolRecord(events()));
  }
  static const std::vector<internal::PoolEvent>& events() { return *events_; }
  // The first pool's timeline; the second's; the ThreadPool's; all pools together.
  static const Timeline& timeline() { return *timeline_; }
  static const Timeline& second() { return *second_; }
  static const Timeline& both() { return *both_; }
  static const Timeline& threads() { return *threads_; }
  static const std::vector<pid_t>& plain_pids() { return plain_pids_; }

 private:
  static inline std::vector<internal::PoolEvent>* events_ = nullptr;
  static inline Timeline* timeline_ = nullptr;
  static inline Timeline* second_ = nullptr;
  static inline Timeline* both_ = nullptr;
  static inline Timeline* threads_ = nullptr;
  static inline std::vector<pid_t> plain_pids_;
};

std::vector<ChunkRun> AllChunks(const Timeline& timeline) {
  std::vector<ChunkRun> chunks;
  for (const auto& [pid, track] : timeline.workers) chunks.insert(chunks.end(), track.chunks.begin(), track.chunks.end());
  return chunks;
}

TEST_F(TimelineTest, EveryTaskRanInExactlyOneRecordedChunk) {
  std::set<uint64_t> tasks;
  for (const ChunkRun& chunk : AllChunks(timeline())) {
    for (uint64_t i = chunk.first; i < chunk.first + chunk.count; ++i) EXPECT_TRUE(tasks.insert(i).second) << i;
  }
  EXPECT_EQ(tasks.size(), 40u);
}

TEST_F(TimelineTest, ChunksHaveDurations) {
  int64_t longest = 0;
  for (const ChunkRun& chunk : AllChunks(timeline())) {
    EXPECT_LE(chunk.start_us, chunk.end_us);
    EXPECT_GE(chunk.start_us, timeline().begin_us);
    longest = std::max(longest, chunk.end_us - chunk.start_us);
  }
  EXPECT_GT(longest, 0) << "every chunk took no time at all: start_us missing?";
}

TEST_F(TimelineTest, TheKilledWorkerIsMarkedAndItsChunkRetried) {
  int deaths = 0;
  for (const auto& [pid, track] : timeline().workers) {
    for (const WorkerDeath& death : track.deaths) {
      ++deaths;
      EXPECT_TRUE(death.mid_chunk);
      EXPECT_TRUE(death.retried);
      EXPECT_EQ(death.chunk_first, 12u);
      EXPECT_EQ(death.exit_code, -SIGKILL);
    }
  }
  EXPECT_EQ(deaths, 1);
  EXPECT_GE(timeline().workers.size(), 3u) << "two workers and one replacement";
}

// Each pool's timeline has its own workers and chunks; with no pool named, both.
TEST_F(TimelineTest, APoolsTimelineLeavesOtherPoolsOut) {
  ASSERT_EQ(second().workers.size(), 1u);
  EXPECT_EQ(second().workers.begin()->second.chunks.size(), 3u);
  for (const auto& [pid, track] : second().workers) EXPECT_EQ(timeline().workers.count(pid), 0u) << pid;
  EXPECT_EQ(both().workers.size(),
            timeline().workers.size() + second().workers.size() + threads().workers.size() + plain_pids().size());
}

// The trace keeps the trace event format's rules (trace_format.h), with one complete event
// per chunk.
TEST_F(TimelineTest, ChromeTraceKeepsTheFormatsRules) {
  const Json trace = Json::parse(WriteJson(ChromeTrace(timeline())));
  EXPECT_THAT(TraceFormatProblems(trace), ::testing::IsEmpty());
  EXPECT_THAT(TraceFormatProblems(Json::parse(WriteJson(ChromeTrace(both())))), ::testing::IsEmpty());
  size_t complete = 0;
  for (const Json& event : trace["traceEvents"]) complete += event["ph"] == "X" && event["cat"] == "chunk";
  EXPECT_EQ(complete, AllChunks(timeline()).size());
}

// Every chunk's events are in order, on the one clock all processes share: the parent
// put it in the worker's inbox, the worker started and finished it, the parent filed its
// answer. Fails if the parent's times were mixed up (sent after collected) or taken from
// another clock, or if a chunk's round trip were matched to the wrong chunk.
TEST_F(TimelineTest, EveryChunksEventsAreInOrder) {
  size_t chunks = 0;
  for (const ChunkRun& chunk : AllChunks(timeline())) {
    ++chunks;
    EXPECT_GT(chunk.sent_us, 0) << "chunk " << chunk.first << " has no round trip";
    EXPECT_LE(chunk.sent_us, chunk.start_us) << "chunk " << chunk.first;
    EXPECT_LE(chunk.start_us, chunk.end_us) << "chunk " << chunk.first;
    EXPECT_LE(chunk.end_us, chunk.collected_us) << "chunk " << chunk.first;
  }
  EXPECT_EQ(chunks, 10u) << "40 tasks in chunks of 4";
}

// A ThreadPool's threads are tracks of this process, one per thread, each task in one
// chunk; in the trace, threads of this process's track, each named. Fails if the threads
// recorded no thread_ran lines, or were drawn as processes.
TEST_F(TimelineTest, AThreadPoolsThreadsAreThreadTracksOfTheParent) {
  ASSERT_EQ(threads().workers.size(), 2u);
  std::set<uint64_t> tasks;
  for (const auto& [key, track] : threads().workers) {
    EXPECT_EQ(track.pid, getpid());
    EXPECT_EQ(track.tid, key);
    EXPECT_NE(track.tid, getpid()) << "the pool's threads, not the main thread";
    for (const ChunkRun& chunk : track.chunks) {
      for (uint64_t i = chunk.first; i < chunk.first + chunk.count; ++i) EXPECT_TRUE(tasks.insert(i).second) << i;
    }
  }
  EXPECT_EQ(tasks.size(), 12u);
  const Json trace = ChromeTrace(threads());
  EXPECT_THAT(TraceFormatProblems(trace), ::testing::IsEmpty());
  std::set<int64_t> named_threads, threads_with_chunks;
  for (const Json& event : trace["traceEvents"]) {
    EXPECT_EQ(event["pid"].get<int64_t>(), getpid()) << event;
    if (event["name"] == "thread_name" && threads().workers.count(event["tid"].get<pid_t>()) > 0) {
      named_threads.insert(event["tid"].get<int64_t>());
    }
    if (event["ph"] == "X" && event["cat"] == "chunk") threads_with_chunks.insert(event["tid"].get<int64_t>());
  }
  EXPECT_EQ(named_threads.size(), 2u);
  for (int64_t tid : threads_with_chunks) EXPECT_EQ(named_threads.count(tid), 1u) << tid;
  EXPECT_THAT(Svg(threads(), "threads"), ::testing::HasSubstr(">thread "));
}

// A plain mp::Process is a track of its own: its life from Start() to Join() and its exit
// code; a pool's workers, processes too, appear once, as workers. Fails if Process
// recorded no end (no life bar, no exit code) or the pool's workers were drawn twice.
TEST_F(TimelineTest, APlainProcessIsDrawnAsItsLifeAndExitCode) {
  std::vector<int> codes;
  for (pid_t pid : plain_pids()) {
    ASSERT_EQ(both().workers.count(pid), 1u) << pid;
    const WorkerTrack& track = both().workers.at(pid);
    EXPECT_TRUE(track.plain_process);
    EXPECT_GT(track.started_us, 0);
    EXPECT_GE(track.ended_us, track.started_us);
    codes.push_back(track.exit_code);
  }
  EXPECT_EQ(codes, (std::vector<int>{0, 3}));
  for (const auto& [pid, track] : timeline().workers) EXPECT_FALSE(track.plain_process) << pid;
  for (const auto& [pid, track] : both().workers) {
    if (track.plain_process) {
      EXPECT_TRUE(track.chunks.empty()) << "a pool's worker drawn as a plain process: " << pid;
    }
  }
  const Json trace = ChromeTrace(both());
  EXPECT_THAT(TraceFormatProblems(trace), ::testing::IsEmpty());
  EXPECT_THAT(WriteJson(trace), ::testing::HasSubstr("alive (exit code 3)"));
  const std::string svg = Svg(both(), "all");
  EXPECT_THAT(svg, ::testing::HasSubstr("class=\"process\""));
  EXPECT_THAT(svg, ::testing::HasSubstr(">exit 3<"));
}

// The caller's waits for results are on the timeline: the first pool's Map had to wait
// (for a replacement worker, at least), and its Join() is one wait too, all on this
// thread of this process, and the trace
// draws each wait on that thread. Fails if the engines did not tell their jobs which
// pool they belong to (no wait is recorded then).
TEST_F(TimelineTest, TheCallersWaitsForResultsAreOnTheTimeline) {
  ASSERT_FALSE(timeline().waits.empty());
  EXPECT_EQ(std::count_if(timeline().waits.begin(), timeline().waits.end(), [](const CallerWait& wait) { return wait.join; }), 1)
      << "one Join(), waited in";
  for (const CallerWait& wait : timeline().waits) {
    EXPECT_EQ(wait.pid, getpid());
    EXPECT_EQ(wait.tid, gettid()) << "SetUpTestSuite ran on the main thread";
    EXPECT_LE(wait.start_us, wait.end_us);
    EXPECT_FALSE(wait.timed_out);
  }
  size_t drawn = 0;
  const Json trace = ChromeTrace(timeline());
  for (const Json& event : trace["traceEvents"]) {
    if (event.contains("cat") && event["cat"] == "wait") {
      ++drawn;
      EXPECT_EQ(event["tid"].get<int64_t>(), gettid());
    }
  }
  EXPECT_EQ(drawn, timeline().waits.size());
  EXPECT_THAT(Svg(timeline(), "waits"), ::testing::HasSubstr("class=\"wait\""));
}

// The checker can fail: each broken rule, put into a good trace, is reported.
TEST_F(TimelineTest, TheFormatCheckerReportsEachBrokenRule) {
  const Json good = ChromeTrace(timeline());
  auto first_of_phase = [](Json& trace, const std::string& ph) -> Json& {
    for (Json& event : trace["traceEvents"]) {
      if (event["ph"] == ph) return event;
    }
    return trace;
  };
  std::vector<std::pair<std::string, std::function<void(Json&)>>> breakages = {
      {"no traceEvents", [](Json& trace) { trace.erase("traceEvents"); }},
      {"a chunk without dur", [&](Json& trace) { first_of_phase(trace, "X").erase("dur"); }},
      {"a negative ts", [&](Json& trace) { first_of_phase(trace, "X")["ts"] = -1; }},
      {"a pid as text", [&](Json& trace) { first_of_phase(trace, "i")["pid"] = "12"; }},
      {"an unknown phase", [&](Json& trace) { first_of_phase(trace, "i")["ph"] = "Q"; }},
      {"a process left unnamed",
       [](Json& trace) {
         Json& events = trace["traceEvents"];
         for (size_t i = 0; i < events.size(); ++i) {
           if (events[i]["ph"] == "M" && events[i]["pid"] != events[0]["pid"]) {
             events.erase(i);
             return;
           }
         }
       }},
      {"two chunks of one worker overlapping",
       [&](Json& trace) {
         // Two more chunks on the first chunk's worker: 100..150 and 120..170.
         Json overlapping = first_of_phase(trace, "X");
         overlapping["ts"] = 100;
         overlapping["dur"] = 50;
         trace["traceEvents"].push_back(overlapping);
         overlapping["ts"] = 120;
         trace["traceEvents"].push_back(overlapping);
       }},
  };
  for (auto& [what, breakage] : breakages) {
    Json broken = good;
    breakage(broken);
    EXPECT_THAT(TraceFormatProblems(broken), ::testing::Not(::testing::IsEmpty())) << what;
  }
}

// A chunksize too large leaves the worker without the long tasks idle at the end; the
// measure sees it, and leaves dead workers out.
TEST(IdleAtTheEndTest, CountsEachLiveWorkersTimeAfterItsLastChunk) {
  Timeline balanced;
  balanced.workers[1].chunks = {{"t", 0, 1, 100, 200}, {"t", 2, 1, 200, 300}};
  balanced.workers[2].chunks = {{"t", 1, 1, 100, 300}};
  EXPECT_DOUBLE_EQ(IdleAtTheEnd(balanced), 0.0);

  Timeline lopsided;  // worker 1 ends at 150 of a job from 100 to 400
  lopsided.workers[1].chunks = {{"t", 0, 50, 100, 150}};
  lopsided.workers[2].chunks = {{"t", 50, 50, 100, 400}};
  EXPECT_DOUBLE_EQ(IdleAtTheEnd(lopsided), (400.0 - 150) / (2 * 300));

  Timeline with_a_death = lopsided;  // a dead worker's time is its replacement's
  with_a_death.workers[3].chunks = {{"t", 0, 1, 100, 120}};
  with_a_death.workers[3].deaths = {{120, -9, true, 0, true}};
  EXPECT_DOUBLE_EQ(IdleAtTheEnd(with_a_death), IdleAtTheEnd(lopsided));

  Timeline idle_throughout = balanced;
  idle_throughout.workers[3].pid = 3;  // started, never ran a chunk
  EXPECT_DOUBLE_EQ(IdleAtTheEnd(idle_throughout), 1.0 / 3);
  EXPECT_DOUBLE_EQ(IdleAtTheEnd(Timeline{}), 0.0);
}

TEST_F(TimelineTest, PoolIdsAreInCreationOrder) {
  EXPECT_THAT(PoolIds(events()), ::testing::ElementsAre(absl::StrCat(getpid(), ".1"), absl::StrCat(getpid(), ".2"),
                                         absl::StrCat(getpid(), ".3")));
}

TEST_F(TimelineTest, SvgHasABarPerChunkAndOneDeathMark) {
  const std::string svg = Svg(timeline(), "40 squares, chunks of 4, one worker killed");
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = svg.find(needle); at != std::string::npos; at = svg.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("class=\"chunk\""), AllChunks(timeline()).size());
  EXPECT_EQ(count("class=\"death\""), 1u);
}

}  // namespace
}  // namespace mp::trace
