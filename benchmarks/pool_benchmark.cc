// How many trivial tasks per second does a Pool run, and what does one ApplyAsync cost?
//
//   bazel run -c opt //benchmarks:pool_benchmark -- --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
//   (one command line)
//
// BM_PoolMap: Map over 20,000 integers with a task that returns its argument, for
// chunksizes 1, 16, 256 and automatic (0), with one worker per CPU. The per-task cost is
// all overhead: encoding, queueing, waking a worker, sending the result back. With large
// chunks a 20,000-task Map lasts well under a millisecond, mostly the few wake-ups it
// needs; the same Map over 1,000,000 integers (chunksizes 16, 256, auto) shows the cost
// per task once those are amortized.
// BM_PoolApplyRoundTrip: one ApplyAsync(...).Get() at a time: the latency of one task.
// BM_ThreadPool*: the same on mp::ThreadPool, threads of this process.
//
// Clock: wall time (UseRealTime); the work happens in the worker processes.
// benchmarks/pool_benchmark.py measures Python's multiprocessing.Pool the same way.

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "benchmarks/summary_reporter.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "pool/thread_pool.h"
#include "process/cpu_count.h"
#include "process/hand_off.h"

namespace {

int64_t Same(int64_t x) { return x; }
MP_POOL_TASK(Same);

std::vector<int64_t> Inputs(int64_t count) {
  std::vector<int64_t> inputs(count);
  for (int64_t i = 0; i < count; ++i) inputs[i] = i;
  return inputs;
}

// The same measurement for Pool (processes) and ThreadPool (threads): `PoolType` has the
// same interface, and `task` is the same function.
template <typename PoolType, typename Options>
void RunMap(benchmark::State& state, Options options) {
  absl::StatusOr<PoolType> pool = PoolType::Create(options);
  if (!pool.ok()) return state.SkipWithError(pool.status().ToString().c_str());
  const std::vector<int64_t> inputs = Inputs(state.range(1));
  // One untimed Map first, as Python's side has run others before: every worker runs,
  // and the pool has timed their chunks (internal/pool_core.h).
  if (!pool->Map(Same, inputs, {.chunksize = state.range(0)}).ok()) {
    return state.SkipWithError("Map failed");
  }
  for (auto _ : state) {
    absl::StatusOr<std::vector<int64_t>> results =
        pool->Map(Same, inputs, {.chunksize = state.range(0)});
    if (!results.ok() || results->size() != inputs.size()) return state.SkipWithError("Map failed");
  }
  state.counters["tasks_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(1)), benchmark::Counter::kIsRate);
}

template <typename PoolType, typename Options>
void RunApply(benchmark::State& state, Options options) {
  absl::StatusOr<PoolType> pool = PoolType::Create(options);
  if (!pool.ok()) return state.SkipWithError(pool.status().ToString().c_str());
  int64_t i = 0;
  for (auto _ : state) {
    auto async = pool->ApplyAsync(Same, ++i);
    if (!async.ok() || !async->Get().ok()) return state.SkipWithError("ApplyAsync failed");
  }
}

void BM_PoolMap(benchmark::State& state) {
  RunMap<mp::Pool>(state, mp::PoolOptions{.workers = mp::CpuCount()});
}
void BM_ThreadPoolMap(benchmark::State& state) {
  RunMap<mp::ThreadPool>(state, mp::ThreadPoolOptions{.workers = mp::CpuCount()});
}
void BM_PoolApplyRoundTrip(benchmark::State& state) {
  RunApply<mp::Pool>(state, mp::PoolOptions{.workers = mp::CpuCount()});
}
void BM_ThreadPoolApplyRoundTrip(benchmark::State& state) {
  RunApply<mp::ThreadPool>(state, mp::ThreadPoolOptions{.workers = mp::CpuCount()});
}

void ChunksizesAndTasks(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgNames({"chunksize", "tasks"});
  for (int64_t chunksize : {1, 16, 256, 0}) benchmark->Args({chunksize, 20'000});
  for (int64_t chunksize : {16, 256, 0}) benchmark->Args({chunksize, 1'000'000});
  benchmark->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_PoolMap)->Apply(ChunksizesAndTasks);
BENCHMARK(BM_ThreadPoolMap)->Apply(ChunksizesAndTasks);
BENCHMARK(BM_PoolApplyRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ThreadPoolApplyRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  return mp::bench::RunBenchmarks(argc, argv, /*summary=*/nullptr);
}
