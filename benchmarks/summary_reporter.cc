#include "benchmarks/summary_reporter.h"

#include <string>
#include <string_view>
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

namespace {

// Whether the user asked for a display other than the console table. Read from argv
// before benchmark::Initialize(), which consumes the flag.
bool DisplayIsConsole(int argc, char** argv) {
  constexpr std::string_view kFlag = "--benchmark_format=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument.substr(0, kFlag.size()) == kFlag) return argument.substr(kFlag.size()) == "console";
  }
  return true;
}

}  // namespace

int RunBenchmarks(int argc, char** argv, SummaryReporter* summary) {
  const bool console = DisplayIsConsole(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (console && summary != nullptr) {
    benchmark::RunSpecifiedBenchmarks(summary);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace mp::bench
