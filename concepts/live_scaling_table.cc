#include "concepts/live_scaling_table.h"

#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "scaling/engines.h"
#include "scaling/scaling_math.h"
#include "scaling/workloads.h"

namespace mp::concepts {

using scaling::Engine;

std::vector<int> DoublingWorkerCounts(int max_workers) {
  std::vector<int> counts;
  for (int n = 1; n < max_workers; n *= 2) counts.push_back(n);
  counts.push_back(max_workers < 1 ? 1 : max_workers);
  return counts;
}

absl::StatusOr<MedianJob> RunMedianJob(Engine engine, scaling::Workload workload, int workers,
                                       const scaling::WorkSize& size, int repetitions) {
  absl::StatusOr<std::unique_ptr<scaling::EngineRunner>> runner =
      scaling::EngineRunner::Create(engine, workers);
  if (!runner.ok()) return runner.status();
  absl::StatusOr<std::vector<scaling::JobRun>> runs =
      (*runner)->RunRepeatedly(workload, size, repetitions);
  if (!runs.ok()) return runs.status();
  if (runs->empty()) return absl::InvalidArgumentError("give at least one repetition");
  std::vector<double> walls;
  for (const scaling::JobRun& run : *runs) {
    if (run.checksum != runs->front().checksum) {
      return absl::InternalError("two runs of the same job gave different answers");
    }
    walls.push_back(run.wall_seconds);
  }
  return MedianJob{.wall_seconds = scaling::Summarize(walls).median,
                   .checksum = runs->front().checksum};
}

absl::StatusOr<ScalingTable> MeasureScalingTable(const std::vector<int>& worker_counts,
                                                 double work_scale, int repetitions) {
  if (worker_counts.empty() || repetitions < 1) {
    return absl::InvalidArgumentError("give at least one worker count and one repetition");
  }
  for (int workers : worker_counts) {
    if (workers < 1) return absl::InvalidArgumentError("worker counts start at 1");
  }
  const scaling::WorkSize size = scaling::WorkSize::Scaled(work_scale, /*serial_fraction=*/0);

  // Median wall seconds of each engine at each worker count.
  std::map<Engine, std::vector<double>> seconds;
  int64_t expected_checksum = -1;
  // A line rewritten in place is progress on a terminal, and clutter in a log.
  const bool show_progress = isatty(STDERR_FILENO) == 1;
  for (Engine engine : scaling::kAllEngines) {
    for (int workers : worker_counts) {
      if (show_progress) {
        std::fprintf(stderr, "\rmeasuring %-24s on %2d workers ",
                     std::string(scaling::EngineTitle(engine)).c_str(), workers);
      }
      absl::StatusOr<MedianJob> job =
          RunMedianJob(engine, scaling::Workload::kCpu, workers, size, repetitions);
      if (!job.ok()) return job.status();
      // Every engine must find the same primes, or the comparison means nothing.
      if (expected_checksum < 0) expected_checksum = job->checksum;
      if (job->checksum != expected_checksum) {
        return absl::InternalError(absl::StrCat(scaling::EngineTitle(engine), " on ", workers,
                                                " workers counted ", job->checksum,
                                                " primes, not ", expected_checksum));
      }
      seconds[engine].push_back(job->wall_seconds);
    }
  }
  if (show_progress) std::fprintf(stderr, "\r%60s\r", "");

  ScalingTable result{.worker_counts = worker_counts};
  std::string table = "| engine (speedup over itself on 1 worker) |";
  std::string rule = "|---|";
  for (int workers : worker_counts) {
    absl::StrAppend(&table, " ", workers, " |");
    absl::StrAppend(&rule, "--:|");
  }
  absl::StrAppend(&table, " 1 worker takes |\n", rule, "--:|\n");
  for (Engine engine : scaling::kAllEngines) {
    const std::vector<double>& walls = seconds[engine];
    absl::StrAppend(&table, "| ", scaling::EngineTitle(engine), " |");
    for (double wall : walls) {
      result.speedups[engine].push_back(scaling::Speedup(walls[0], wall));
      absl::StrAppend(&table, absl::StrFormat(" %.2f |", result.speedups[engine].back()));
    }
    absl::StrAppend(&table, absl::StrFormat(" %.3f s |\n", walls[0]));
  }
  result.markdown = std::move(table);
  return result;
}

namespace {

// `text` with its spaces turned into line breaks where a line would pass `width`.
std::string Wrapped(const std::string& text, size_t width) {
  std::string wrapped;
  size_t line_length = 0;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (line_length > 0 && line_length + 1 + word.size() > width) {
      wrapped += '\n';
      line_length = 0;
    } else if (line_length > 0) {
      wrapped += ' ';
      ++line_length;
    }
    absl::StrAppend(&wrapped, word);
    line_length += word.size();
  }
  return wrapped;
}

std::string Verdict(const ScalingTable& table) {
  const int workers = table.worker_counts.empty() ? 1 : table.worker_counts.back();
  auto at_most_workers = [&](Engine engine) {
    auto found = table.speedups.find(engine);
    return found == table.speedups.end() || found->second.empty() ? 0.0 : found->second.back();
  };
  const double processes = at_most_workers(Engine::kProcesses);
  const double threads = at_most_workers(Engine::kThreads);
  const double locked = at_most_workers(Engine::kGlobalLock);
  if (workers < 2) return "One worker only: nothing to compare. Try --workers=2 or more.";
  // At least half of the ideal gain from the extra workers counts as using them.
  const double used_the_cores = 1 + 0.5 * (workers - 1);
  std::string verdict;
  if (processes >= used_the_cores && threads >= used_the_cores) {
    verdict = absl::StrFormat(
        "On %d workers processes reached %.2fx and threads %.2fx: both used the extra cores.",
        workers, processes, threads);
  } else if (processes >= used_the_cores || threads >= used_the_cores) {
    verdict = absl::StrFormat(
        "On %d workers processes reached %.2fx and threads %.2fx: one used the extra cores, "
        "the other did not get them in its turn (the machine is busy; run again when it is idle).",
        workers, processes, threads);
  } else {
    return absl::StrFormat(
        "On %d workers processes reached only %.2fx and threads %.2fx: the machine had no free "
        "cores just now (it is busy, or has fewer CPUs than workers), so this run cannot show "
        "what more cores give. Run again when it is idle.",
        workers, processes, threads);
  }
  if (locked < used_the_cores) {
    absl::StrAppend(&verdict, absl::StrFormat(
        " Under the global lock threads reached %.2fx: they took turns, as CPython's threads do "
        "under the GIL.", locked));
  } else {
    absl::StrAppend(&verdict, absl::StrFormat(
        " Under the global lock threads reached %.2fx, which taking turns cannot give: look for "
        "a timing error.", locked));
  }
  return verdict;
}

}  // namespace

std::string JudgeScaling(const ScalingTable& table) { return Wrapped(Verdict(table), 88); }

}  // namespace mp::concepts
