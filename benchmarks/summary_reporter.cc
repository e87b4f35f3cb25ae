#include "benchmarks/summary_reporter.h"

#include <string>
#include <vector>

#include "benchmark/benchmark.h"

namespace mp::bench {

void SummaryReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& run : runs) {
    if (run.error_occurred) continue;
    const std::string name = run.run_name.str();
    // Adjusted times are in the run's display unit; bring them all to nanoseconds.
    const double nanoseconds =
        run.GetAdjustedRealTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
    if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
      median_wall_time_[name] = nanoseconds;
    } else if (run.run_type == Run::RT_Iteration) {
      last_wall_time_[name] = nanoseconds;
    }
  }
}

void SummaryReporter::Finalize() {
  ConsoleReporter::Finalize();
  WallTimes wall_time = last_wall_time_;
  for (const auto& [name, time] : median_wall_time_) wall_time[name] = time;
  PrintSummary(wall_time, !median_wall_time_.empty());
}

}  // namespace mp::bench
