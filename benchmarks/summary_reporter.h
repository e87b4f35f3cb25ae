// SummaryReporter: Google Benchmark's console table, then a summary computed from every
// benchmark's wall time per iteration in the same run. With --benchmark_repetitions it
// uses medians, which a noisy machine needs; otherwise the one run of each.
//
//   class MyReporter : public SummaryReporter {
//     void PrintSummary(const WallTimes& wall_time, bool medians) override { ... }
//   };
//   int main(int argc, char** argv) {
//     MyReporter reporter;
//     return mp::bench::RunBenchmarks(argc, argv, &reporter);
//   }

#ifndef MP_BENCHMARKS_SUMMARY_REPORTER_H_
#define MP_BENCHMARKS_SUMMARY_REPORTER_H_

#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"

namespace mp::bench {

// Wall time per iteration in nanoseconds, by run name
// (e.g. "BM_RoundTrip/pipe/bytes:64/other_core:1/real_time").
using WallTimes = std::map<std::string, double>;

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 protected:
  virtual void PrintSummary(const WallTimes& wall_time, bool medians) = 0;

 private:
  WallTimes median_wall_time_;
  WallTimes last_wall_time_;
};

// A benchmark binary's main(): parses Google Benchmark's flags (exit 2 for one it does not
// know) and runs the benchmarks. `summary` (may be null) is the display reporter only
// where the display is the console table: with --benchmark_format=json or csv, that format
// is what the user gets on stdout, and the summary, which is text, is left out.
int RunBenchmarks(int argc, char** argv, SummaryReporter* summary);

}  // namespace mp::bench

#endif  // MP_BENCHMARKS_SUMMARY_REPORTER_H_
