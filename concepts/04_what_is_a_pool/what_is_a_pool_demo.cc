// Q4: what is a process pool, and why use one?
//
//   bazel run -c opt //concepts/04_what_is_a_pool:demo
//   bazel run -c opt //concepts/04_what_is_a_pool:demo -- --tasks=1000 --workers=4 --chunksize=1
//
// Runs the same small tasks twice: once starting a new process for every task, once on a
// pool of a few worker processes that are started once and reused. Prints how many
// processes each way started, how the pool spread the tasks, and how long each took.
// Then runs one uneven job at chunksize 1, auto and too large, and draws each run as a
// timeline (SVG), from the pool's own record (pool/trace).

#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "base/json.h"
#include "concepts/02_processes_vs_threads/cpu_overlap.h"
#include "pool/pool.h"
#include "pool/trace/timeline.h"
#include "pool/trace/timeline_files.h"
#include "process/process.h"

ABSL_FLAG(int, tasks, 200, "how many tasks (1 to 100000)");
ABSL_FLAG(int, workers, 2, "worker processes in the pool (1 to 256)");
ABSL_FLAG(int, chunksize, 0, "tasks sent to a worker at a time; 0 chooses like Python");
ABSL_FLAG(std::string, timeline_dir, "",
          "where to write the chunksize timelines (SVG) and their Chrome trace; default $TMPDIR/mp-lesson4 "
          "(or /tmp/mp-lesson4)");

namespace {

// The task: which process ran me?
pid_t WhoRanMe(int /*task*/) { return getpid(); }
MP_POOL_TASK(WhoRanMe);

// The uneven task: it burns `micros` microseconds of CPU time (CPU time, not wall time,
// so a busy machine stretches it but does not change how much work it is).
int BurnMicros(int micros) {
  mp::concepts::SpinForCpuMicros(micros);
  return micros;
}
MP_POOL_TASK(BurnMicros);

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  return 1;
}

// 3. One uneven job (task i costs i units: the late tasks are the long ones) at three
// chunksizes, each drawn from the record as a timeline.
int DrawChunksizes(int tasks, int workers, const std::string& dir) {
  constexpr int kJobCpuMicros = 300'000;  // the whole job's work, whatever --tasks says
  std::vector<int> costs(tasks);
  const double unit = 2.0 * kJobCpuMicros / (static_cast<double>(tasks) * (tasks + 1));
  for (int task = 0; task < tasks; ++task) costs[task] = static_cast<int>(unit * (task + 1));
  struct Setting {
    const char* name;
    int chunksize;
  };
  const Setting settings[] = {{"1", 1}, {"auto", 0}, {"too_large", (tasks + workers - 1) / workers}};
  for (const Setting& setting : settings) {
    absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = workers});
    if (!pool.ok()) return Fail("Pool::Create()", pool.status());
    absl::StatusOr<std::vector<int>> done = pool->Map(BurnMicros, costs, {.chunksize = setting.chunksize});
    if (!done.ok()) return Fail("Map()", done.status());
    pool->Close();
    if (absl::Status joined = pool->Join(); !joined.ok()) return Fail("Join()", joined);
  }
  absl::StatusOr<std::vector<mp::internal::PoolEvent>> events = mp::trace::ReadPoolRecordFile(dir + "/lesson4.record");
  if (!events.ok()) return Fail("reading the record", events.status());
  const std::vector<std::string> pools = mp::trace::PoolIds(*events);
  if (pools.size() < 3) return Fail("reading the record", absl::InternalError("fewer than 3 pools recorded"));
  std::printf("\nThe same uneven job (task i costs i units) at three chunksizes, %d workers, as timelines:\n",
              workers);
  std::vector<mp::trace::Timeline> timelines;
  int64_t longest_us = 0;  // the three pictures share one time scale
  for (size_t i = pools.size() - 3; i < pools.size(); ++i) {
    timelines.push_back(mp::trace::FromPoolRecord(*events, pools[i]));
    longest_us = std::max(longest_us, timelines.back().end_us - timelines.back().begin_us);
  }
  double idle[3];
  for (int i = 0; i < 3; ++i) {
    const mp::trace::Timeline& timeline = timelines[i];
    size_t chunks = 0;
    for (const auto& [pid, track] : timeline.workers) chunks += track.chunks.size();
    idle[i] = mp::trace::IdleAtTheEnd(timeline);
    const std::string svg = absl::StrCat(dir, "/chunksize_", settings[i].name, ".svg");
    const std::string title =
        absl::StrCat("chunksize ", settings[i].name == std::string("too_large") ? absl::StrCat("too large (", settings[i].chunksize, ")") : settings[i].name,
                     ": ", tasks, " tasks, the later ones longer, on ", workers, " workers");
    if (absl::Status written = mp::trace::WriteWholeFile(svg, mp::trace::Svg(timeline, title, longest_us));
        !written.ok()) {
      return Fail("writing the timeline", written);
    }
    std::printf("  chunksize %-9s %5zu chunks, workers idle at the end %4.1f%% of the time   %s\n",
                settings[i].name, chunks, 100 * idle[i], svg.c_str());
  }
  const std::string trace = dir + "/lesson4_trace.json";
  if (absl::Status written = mp::trace::WriteWholeFile(
          trace, mp::WriteJson(mp::trace::ChromeTrace(mp::trace::FromPoolRecord(*events))));
      !written.ok()) {
    return Fail("writing the trace", written);
  }
  std::printf("  every pool of this run, for https://ui.perfetto.dev:          %s\n", trace.c_str());
  // Judged from what was measured: a too-large chunksize should leave a worker idle.
  if (idle[2] > idle[0] + 0.05) {
    std::printf("\nWith chunks too large, one worker got all the long tasks while the other sat idle:\n"
                "%.0f%% idle at the end, against %.0f%% with chunksize 1.\n", 100 * idle[2], 100 * idle[0]);
  } else {
    std::printf("\nThis run did not show a too-large chunksize leaving a worker idle (%.0f%% against %.0f%%):\n"
                "with one worker, or a machine too busy to run the workers side by side, it cannot.\n",
                100 * idle[2], 100 * idle[0]);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "The same tasks on a process each, then on a pool that reuses its workers.");
  const int tasks = absl::GetFlag(FLAGS_tasks);
  const int workers = absl::GetFlag(FLAGS_workers);
  const int chunksize = absl::GetFlag(FLAGS_chunksize);
  if (tasks < 1 || tasks > 100'000) mp::cli::ExitBadUsage("--tasks must be 1 to 100000");
  if (workers < 1 || workers > 256) mp::cli::ExitBadUsage("--workers must be 1 to 256");
  if (chunksize < 0) mp::cli::ExitBadUsage("--chunksize must be 0 or more");
  absl::StatusOr<std::string> timeline_dir =
      mp::trace::TimelineDirectory(mp::cli::UserPath(absl::GetFlag(FLAGS_timeline_dir)), "mp-lesson4");
  if (!timeline_dir.ok()) mp::cli::ExitBadUsage("--timeline_dir: " + std::string(timeline_dir.status().message()));
  // Before any pool starts: the record is opened once, by the first pool that asks.
  if (absl::Status recording = mp::trace::StartPoolRecord(*timeline_dir + "/lesson4.record");
      !recording.ok()) {
    return Fail("--timeline_dir", recording);
  }
  std::printf("%d tasks; each says which process ran it.\n\n", tasks);

  // 1. A new process for every task: start it, wait for it, and it is gone.
  std::set<pid_t> per_task_pids;
  const absl::Time per_task_start = absl::Now();
  for (int task = 0; task < tasks; ++task) {
    mp::Process process(WhoRanMe, task);
    if (absl::Status started = process.Start(); !started.ok()) return Fail("Start()", started);
    per_task_pids.insert(*process.pid());
    if (absl::Status joined = process.Join(); !joined.ok()) return Fail("Join()", joined);
  }
  const absl::Duration per_task = absl::Now() - per_task_start;
  std::printf("A new process per task:      %5zu processes started, %5zu distinct pids, %8.4f s\n",
              per_task_pids.size(), per_task_pids.size(), absl::ToDoubleSeconds(per_task));

  // 2. A pool: `workers` processes started once, each running many tasks.
  const absl::Time pool_start = absl::Now();
  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = workers});
  if (!pool.ok()) return Fail("Pool::Create()", pool.status());
  std::vector<int> inputs(tasks);
  for (int task = 0; task < tasks; ++task) inputs[task] = task;
  absl::StatusOr<std::vector<pid_t>> ran_by = pool->Map(WhoRanMe, inputs, {.chunksize = chunksize});
  if (!ran_by.ok()) return Fail("Map()", ran_by.status());
  const absl::Duration pooled = absl::Now() - pool_start;
  std::map<pid_t, int> tasks_by_worker;
  for (pid_t pid : *ran_by) ++tasks_by_worker[pid];
  std::printf("A pool of %-3d worker processes: %2d processes started, %5zu distinct pids, %8.4f s"
              " (start-up included)\n",
              workers, workers, tasks_by_worker.size(), absl::ToDoubleSeconds(pooled));

  std::printf("\nHow the pool spread the tasks (results came back in input order):\n");
  for (const auto& [pid, count] : tasks_by_worker) {
    std::printf("  worker pid %d ran %d tasks\n", pid, count);
  }
  // The conclusion follows what was measured, not what the lesson expects.
  const double ratio = absl::ToDoubleSeconds(per_task) / absl::ToDoubleSeconds(pooled);
  if (ratio >= 1) {
    std::printf("\nThe pool was %.1fx faster: it paid for %d process starts, not %d.\n", ratio,
                workers, tasks);
  } else {
    std::printf("\nThe pool was not faster this time (%.2fx): with so few tasks, or a busy machine,\n"
                "starting %d processes cost less than the pool's messages. Try --tasks=2000.\n",
                ratio, tasks);
  }
  pool->Close();
  if (absl::Status joined = pool->Join(); !joined.ok()) return Fail("Join()", joined);
  return DrawChunksizes(tasks, workers, *timeline_dir);
}
