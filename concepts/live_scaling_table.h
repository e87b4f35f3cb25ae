// A small scaling table measured live, for the course: the CPU-bound job of the scaling
// report (//benchmarks:scaling_report, counting primes) on processes, threads, and threads
// under one global lock, at a few worker counts. The tour ends with one, and lesson Q2's
// demo prints one.
//
//   absl::StatusOr<std::string> table = mp::concepts::MeasureScalingTable({1, 2}, 0.25, 1);
//   // | engine | 1 | 2 |   rows of speedup (each engine against itself on 1 worker)
//
// It is a demonstration, not a measurement to quote: each point is the median of a few
// short jobs. The full report, with spreads and Python beside it, is the benchmark's.

#ifndef MP_CONCEPTS_LIVE_SCALING_TABLE_H_
#define MP_CONCEPTS_LIVE_SCALING_TABLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scaling/engines.h"
#include "scaling/workloads.h"

namespace mp::concepts {

struct MedianJob {
  double wall_seconds = 0;  // the median of the timed jobs
  int64_t checksum = 0;     // the job's answer (the same for every job, or an error)
};

// Runs `repetitions` timed jobs of `workload` on a fresh runner of `engine` with `workers`
// workers, after one warm-up job. Internal if two jobs disagree on the answer.
absl::StatusOr<MedianJob> RunMedianJob(scaling::Engine engine, scaling::Workload workload,
                                       int workers, const scaling::WorkSize& size,
                                       int repetitions);

// Worker counts 1, 2, 4, ... up to `max_workers`, always ending with `max_workers`.
std::vector<int> DoublingWorkerCounts(int max_workers);

// What MeasureScalingTable measured.
struct ScalingTable {
  std::string markdown = {};  // a row per engine, a column per worker count
  std::vector<int> worker_counts = {};
  // Per engine, the speedup at each worker count, over itself on the first count.
  std::map<scaling::Engine, std::vector<double>> speedups = {};
};

// Runs the job at each of `worker_counts` (the first should be 1: speedups are against
// it) on each engine, `repetitions` timed jobs after a warm-up, and returns the speedups
// and a Markdown table of them with the 1-worker wall time. `work_scale` 1.0 is about a
// second of one core per job. When stderr is a terminal, a progress line goes there.
// InvalidArgument for an empty list, counts below 1, or repetitions below 1.
absl::StatusOr<ScalingTable> MeasureScalingTable(const std::vector<int>& worker_counts,
                                                 double work_scale, int repetitions);

// What `table` shows, judged from its own numbers at the largest worker count: whether
// processes and threads used the extra cores, whether the global lock made threads take
// turns, and, when the machine had no free core to show it, that this run cannot tell.
std::string JudgeScaling(const ScalingTable& table);

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_LIVE_SCALING_TABLE_H_
