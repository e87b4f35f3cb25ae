// The scaling report's workloads as a Google Benchmark suite, for tools that read its
// output (--benchmark_format=json) or compare runs (compare.py).
//
//   bazel run -c opt //benchmarks:scaling_benchmark -- --benchmark_filter=cpu
//
// One benchmark per engine and workload, at 1 .. CpuCount() workers:
// BM_Scaling/<engine>/<workload>/workers:N, each iteration one job of
// WorkSize::Scaled(0.1) (about a tenth of a second of one core).
//
// Clocks, and why: the work runs in worker processes or worker threads, so the time
// that matters is wall time, taken by the engine around the job alone (UseManualTime;
// building the inputs is not timed). The CPU column is this process's CPU time
// (MeasureProcessCPUTime): it includes ThreadPool's worker threads but not Pool's worker
// processes, so it cannot compare the two. The counters can:
//   task_cpu_s   CPU seconds all tasks used per job, measured by each task on its own
//                thread, whichever process it ran in;
//   busy_cores   task_cpu_s / wall time: how many cores the job kept busy on average.

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "scaling/engines.h"
#include "scaling/workloads.h"
#include "process/cpu_count.h"
#include "process/hand_off.h"

namespace mp::scaling {
namespace {

constexpr double kWorkScale = 0.1;

void BM_Scaling(benchmark::State& state, Engine engine, Workload workload) {
  const WorkSize size = WorkSize::Scaled(kWorkScale, 0.25);
  absl::StatusOr<std::unique_ptr<EngineRunner>> runner =
      EngineRunner::Create(engine, static_cast<int>(state.range(0)));
  if (!runner.ok()) return state.SkipWithError(runner.status().ToString().c_str());
  double task_cpu_seconds = 0;
  double wall_seconds = 0;
  for (auto _ : state) {
    absl::StatusOr<JobRun> run = (*runner)->Run(workload, size);
    if (!run.ok()) return state.SkipWithError(run.status().ToString().c_str());
    state.SetIterationTime(run->wall_seconds);
    wall_seconds += run->wall_seconds;
    for (const auto& [worker, seconds] : run->cpu_seconds_by_worker) task_cpu_seconds += seconds;
  }
  const auto jobs = static_cast<double>(state.iterations());
  state.counters["task_cpu_s"] = task_cpu_seconds / jobs;
  state.counters["busy_cores"] = wall_seconds > 0 ? task_cpu_seconds / wall_seconds : 0;
}

void RegisterAll() {
  for (Engine engine : kAllEngines) {
    for (Workload workload : kAllWorkloads) {
      benchmark::RegisterBenchmark(
          absl::StrCat("BM_Scaling/", EngineName(engine), "/", WorkloadName(workload)).c_str(),
          BM_Scaling, engine, workload)
          ->ArgName("workers")
          ->DenseRange(1, CpuCount())
          ->UseManualTime()
          ->MeasureProcessCPUTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace
}  // namespace mp::scaling

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  // Before any Pool forks: its workers share the array's pages.
  mp::scaling::PrepareArray(mp::scaling::WorkSize::Scaled(mp::scaling::kWorkScale, 0.25).array_bytes);
  mp::scaling::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
