// Lesson 9: what happens when a worker process crashes?
//
//   bazel run //concepts/09_fault_tolerance:demo
//   bazel run //concepts/09_fault_tolerance:demo -- --crash=segfault --transient --retries=1
//
// Maps a task over a pool, and one task crashes the worker running it. Prints every
// task's outcome, the workers before and after, and that the call came back; then draws
// the run as a timeline (SVG: the death, and the retry if there was one) from the pool's
// own record (pool/trace).

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "base/json.h"
#include "concepts/09_fault_tolerance/crashing_tasks.h"
#include "ipc/shared_value.h"
#include "pool/pool.h"
#include "pool/trace/timeline.h"
#include "pool/trace/timeline_files.h"

ABSL_FLAG(int, tasks, 12, "tasks in the map (1 to 10000)");
ABSL_FLAG(int, workers, 2, "worker processes (1 to 64)");
ABSL_FLAG(int64_t, crash_task, 7, "which task crashes its worker (0 to tasks - 1)");
ABSL_FLAG(std::string, crash, "sigkill", "how: sigkill, segfault, abort or exit (_exit(3))");
ABSL_FLAG(bool, transient, false, "crash only the first time the task runs");
ABSL_FLAG(int, retries, 0, "times a task whose worker died is run again (0 to 10)");
ABSL_FLAG(int64_t, task_cpu_us, 2000, "CPU time each task computes for, in microseconds (0 to 1000000), so the timeline shows it");
ABSL_FLAG(std::string, timeline_dir, "",
          "where to write the run's timeline (SVG) and Chrome trace; default $TMPDIR/mp-lesson9 (or /tmp/mp-lesson9)");

namespace {

// The run, drawn from the pool's record: the dead worker's row ends in a red cross, and
// its chunk shows up again on another row if it was retried.
int DrawTheRun(const std::string& dir) {
  absl::StatusOr<std::vector<mp::internal::PoolEvent>> events = mp::trace::ReadPoolRecordFile(dir + "/lesson9.record");
  if (!events.ok() || mp::trace::PoolIds(*events).empty()) {
    std::fprintf(stderr, "no pool record to draw: %s\n", events.status().ToString().c_str());
    return 1;
  }
  const mp::trace::Timeline timeline = mp::trace::FromPoolRecord(*events, mp::trace::PoolIds(*events).back());
  const std::string svg = dir + "/worker_crash.svg", trace = dir + "/lesson9_trace.json";
  absl::Status written = mp::trace::WriteWholeFile(
      svg, mp::trace::Svg(timeline, absl::StrCat("Lesson 9: task ", absl::GetFlag(FLAGS_crash_task), " crashes its worker (",
                                                 absl::GetFlag(FLAGS_crash), "), retries = ", absl::GetFlag(FLAGS_retries))));
  written.Update(mp::trace::WriteWholeFile(trace, mp::WriteJson(mp::trace::ChromeTrace(timeline))));
  if (!written.ok()) {
    std::fprintf(stderr, "cannot write the timeline: %s\n", written.ToString().c_str());
    return 1;
  }
  std::printf("\nthe run as a timeline (the red cross is the death): %s\n"
              "the same for https://ui.perfetto.dev:                %s\n", svg.c_str(), trace.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "A map in which one task crashes its worker.");
  const int tasks = absl::GetFlag(FLAGS_tasks);
  const int workers = absl::GetFlag(FLAGS_workers);
  const int retries = absl::GetFlag(FLAGS_retries);
  mp::concepts::Crash crash;
  if (!mp::concepts::ParseCrash(absl::GetFlag(FLAGS_crash), &crash)) {
    mp::cli::ExitBadUsage("--crash must be sigkill, segfault, abort or exit");
  }
  if (tasks < 1 || tasks > 10'000) mp::cli::ExitBadUsage("--tasks must be 1 to 10000");
  if (const int64_t crash_task = absl::GetFlag(FLAGS_crash_task); crash_task < 0 || crash_task >= tasks) {
    mp::cli::ExitBadUsage(absl::StrCat("--crash_task must be 0 to ", tasks - 1,
                                       " (--tasks - 1): task ", crash_task, " is not in the map"));
  }
  if (workers < 1 || workers > 64) mp::cli::ExitBadUsage("--workers must be 1 to 64");
  if (retries < 0 || retries > 10) mp::cli::ExitBadUsage("--retries must be 0 to 10");
  if (const int64_t cpu_us = absl::GetFlag(FLAGS_task_cpu_us); cpu_us < 0 || cpu_us > 1'000'000) {
    mp::cli::ExitBadUsage("--task_cpu_us must be 0 to 1000000");
  }

  absl::StatusOr<std::string> timeline_dir =
      mp::trace::TimelineDirectory(mp::cli::UserPath(absl::GetFlag(FLAGS_timeline_dir)), "mp-lesson9");
  if (!timeline_dir.ok()) mp::cli::ExitBadUsage("--timeline_dir: " + std::string(timeline_dir.status().message()));
  // Before the pool starts: the record is opened once, by the first pool that asks.
  if (absl::Status recording = mp::trace::StartPoolRecord(*timeline_dir + "/lesson9.record"); !recording.ok()) {
    std::fprintf(stderr, "--timeline_dir: %s\n", recording.ToString().c_str());
    return 1;
  }

  absl::StatusOr<mp::RawSharedValue<int32_t>> attempts = mp::RawSharedValue<int32_t>::Create(0);
  if (!attempts.ok()) return 1;
  const std::string attempts_name = absl::GetFlag(FLAGS_transient) ? attempts->name() : "";
  absl::StatusOr<mp::Pool> pool = mp::Pool::Create(
      {.workers = workers,
       .retries = retries,
       .initializer = mp::Call(mp::concepts::ConfigureCrash, absl::GetFlag(FLAGS_crash_task),
                               static_cast<int32_t>(crash), attempts_name, absl::GetFlag(FLAGS_task_cpu_us))});
  if (!pool.ok()) {
    std::fprintf(stderr, "Pool::Create(): %s\n", pool.status().ToString().c_str());
    return 1;
  }
  std::printf("workers before: %s\n", absl::StrJoin(pool->WorkerPids(), ", ").c_str());
  std::printf("mapping DoubleOrCrash over %d tasks; task %lld crashes its worker (%s%s), "
              "retries = %d\n\n", tasks, static_cast<long long>(absl::GetFlag(FLAGS_crash_task)),
              absl::GetFlag(FLAGS_crash).c_str(), absl::GetFlag(FLAGS_transient) ? ", once" : "",
              retries);

  std::vector<int64_t> inputs;
  for (int64_t task = 0; task < tasks; ++task) inputs.push_back(task);
  const absl::Time start = absl::Now();
  absl::StatusOr<mp::MapResult<int64_t>> async = pool->MapAsync(mp::concepts::DoubleOrCrash, inputs, {.chunksize = 1});
  if (!async.ok()) return 1;
  absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> each = async->GetEach(absl::Seconds(60));
  if (!each.ok()) {
    std::fprintf(stderr, "the map did not come back: %s\n", each.status().ToString().c_str());
    return 1;
  }
  int failed = 0;
  for (int task = 0; task < tasks; ++task) {
    const absl::StatusOr<int64_t>& result = (*each)[task];
    if (result.ok()) {
      std::printf("  task %2d: %lld\n", task, static_cast<long long>(*result));
    } else {
      ++failed;
      std::printf("  task %2d: %s\n", task, result.status().ToString().c_str());
    }
  }
  std::printf("\nthe map came back after %.0f ms: %d of %d tasks succeeded\n",
              absl::ToDoubleMilliseconds(absl::Now() - start), tasks - failed, tasks);
  std::printf("workers after:  %s (the dead one was replaced)\n",
              absl::StrJoin(pool->WorkerPids(), ", ").c_str());
  pool->Close();
  if (!pool->Join().ok()) return 1;
  return DrawTheRun(*timeline_dir);
}
