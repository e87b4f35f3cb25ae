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
// BM_PoolApplyBlockingRoundTrip: the same with Apply(), where the caller collects.
// BM_ThreadPool*: the same on mp::ThreadPool, threads of this process.
// BM_PoolCentralPath: how much CPU the parent spends per chunk (all its threads: the caller
// encoding and waiting, the manager handing chunks out and filing answers; not the
// workers'), for one-task chunks of 0 (the path flat out), 10 us, 100 us and 1 ms of work.
// That path is serial, so it caps how many workers one pool can feed:
// `workers_it_could_feed` is the chunk's work over the parent's CPU per chunk, the worker
// count at which the parent would be busy all the time (benchmarks/README.md).
// BM_PoolMapRecorded: BM_PoolMap with the pool's record (process/life_record.h) off (0) and
// on (1), so the difference is what recording costs; `chunk_time` is the time per chunk.
// Run it by turns, so that off and on share the machine's moods:
//   --benchmark_filter=Recorded --benchmark_enable_random_interleaving=true
//   --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
//
// Clock: wall time (UseRealTime); the work happens in the worker processes.
// benchmarks/pool_benchmark.py measures Python's multiprocessing.Pool the same way.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "benchmarks/summary_reporter.h"
#include "process/life_record.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "pool/thread_pool.h"
#include "process/cpu_count.h"
#include "process/hand_off.h"

namespace {

int64_t Same(int64_t x) { return x; }
MP_POOL_TASK(Same);

// Keeps its CPU busy for `micros`, as a task of that much work would.
int64_t WorkFor(int64_t micros) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(micros);
  int64_t rounds = 0;
  while (std::chrono::steady_clock::now() < until) benchmark::DoNotOptimize(++rounds);
  return micros;
}
MP_POOL_TASK(WorkFor);

// CPU time of every thread of this process (not of its children).
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

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
// The blocking Apply(): the caller collects its own result (pool/internal/pool_core.h).
void BM_PoolApplyBlockingRoundTrip(benchmark::State& state) {
  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = mp::CpuCount()});
  if (!pool.ok()) return state.SkipWithError(pool.status().ToString().c_str());
  int64_t i = 0;
  for (auto _ : state) {
    if (!pool->Apply(Same, ++i).ok()) return state.SkipWithError("Apply failed");
  }
}
void BM_ThreadPoolApplyRoundTrip(benchmark::State& state) {
  RunApply<mp::ThreadPool>(state, mp::ThreadPoolOptions{.workers = mp::CpuCount()});
}

void BM_PoolCentralPath(benchmark::State& state) {
  const int64_t chunk_us = state.range(0);
  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = mp::CpuCount()});
  if (!pool.ok()) return state.SkipWithError(pool.status().ToString().c_str());
  // About 0.2 s of work per worker on two: long enough for the figure to settle.
  const int64_t chunks = chunk_us == 0 ? 20'000 : std::max<int64_t>(100, 400'000 / chunk_us);
  const std::vector<int64_t> inputs(chunks, chunk_us);
  if (!pool->Map(WorkFor, inputs, {.chunksize = 1}).ok()) return state.SkipWithError("Map failed");
  double parent_cpu = 0;
  for (auto _ : state) {
    const double before = ProcessCpuSeconds();
    absl::StatusOr<std::vector<int64_t>> results = pool->Map(WorkFor, inputs, {.chunksize = 1});
    parent_cpu += ProcessCpuSeconds() - before;
    if (!results.ok() || results->size() != inputs.size()) return state.SkipWithError("Map failed");
  }
  const double per_chunk = parent_cpu / static_cast<double>(state.iterations() * chunks);
  state.counters["parent_cpu_us_per_chunk"] = per_chunk * 1e6;
  if (chunk_us > 0 && per_chunk > 0) {
    state.counters["workers_it_could_feed"] = static_cast<double>(chunk_us) * 1e-6 / per_chunk;
  }
}

// Recording on for the benchmark's run, into a file of its own; afterwards, back to what
// the environment asked for.
void BM_PoolMapRecorded(benchmark::State& state) {
  const char* asked = std::getenv(mp::internal::kPoolRecordVariable);
  const std::string before = asked != nullptr ? asked : "";
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp != nullptr ? tmp : "/tmp") + "/pool_benchmark_" + std::to_string(getpid()) + ".record";
  if (absl::Status recording = mp::RecordPools(state.range(2) == 1 ? path : ""); !recording.ok()) {
    return state.SkipWithError(recording.ToString().c_str());
  }
  RunMap<mp::Pool>(state, mp::PoolOptions{.workers = mp::CpuCount()});
  (void)mp::RecordPools(before);
  unlink(path.c_str());
  const int64_t chunks_per_map = (state.range(1) + state.range(0) - 1) / state.range(0);
  state.counters["chunk_time"] = benchmark::Counter(static_cast<double>(state.iterations() * chunks_per_map),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void ChunksizesAndTasks(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgNames({"chunksize", "tasks"});
  for (int64_t chunksize : {1, 16, 256, 0}) benchmark->Args({chunksize, 20'000});
  for (int64_t chunksize : {16, 256, 0}) benchmark->Args({chunksize, 1'000'000});
  benchmark->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_PoolMap)->Apply(ChunksizesAndTasks);
BENCHMARK(BM_ThreadPoolMap)->Apply(ChunksizesAndTasks);
BENCHMARK(BM_PoolMapRecorded)
    ->ArgNames({"chunksize", "tasks", "record"})
    ->ArgsProduct({{1, 256}, {20'000}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PoolCentralPath)->ArgName("chunk_us")->Arg(0)->Arg(10)->Arg(100)->Arg(1000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PoolApplyRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PoolApplyBlockingRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ThreadPoolApplyRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  return mp::bench::RunBenchmarks(argc, argv, /*summary=*/nullptr);
}
