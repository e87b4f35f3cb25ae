// mp::ThreadPool against the thread pool a C++ user would pick instead, oneTBB's
// parallel_for, on the same jobs in the same run, and a plain loop on one thread as the
// floor for trivial work:
// - trivial: Map a function that returns its argument over 1M integers (what a pool's
//   own overhead costs per task);
// - cpu: 240 tasks that count primes in a range (what it costs on real work).
// Each side makes a new vector of results per job, as Map returns one.
//
//   bazel run -c opt //benchmarks:thread_pool_benchmark -- --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//   (one command line)

#include <cstdint>
#include <optional>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "scaling/workloads.h"
#include "benchmarks/summary_reporter.h"
#include "oneapi/tbb/blocked_range.h"
#include "oneapi/tbb/global_control.h"
#include "oneapi/tbb/parallel_for.h"
#include "pool/thread_pool.h"
#include "process/cpu_count.h"

namespace {

enum Engine : int64_t { kThreadPool, kOneTbb, kOneThread };
constexpr int64_t kTrivialTasks = 1'000'000;

std::vector<int64_t> Numbers(int64_t count) {
  std::vector<int64_t> numbers(count);
  for (int64_t i = 0; i < count; ++i) numbers[i] = i;
  return numbers;
}

// Both pools keep their threads between jobs, as a program would.
mp::ThreadPool& Pool() {
  static mp::ThreadPool* pool = new mp::ThreadPool(*mp::ThreadPool::Create({}));
  return *pool;
}

// Job by job, `task` over `inputs` on `engine`; false if a job failed.
template <typename T, typename F>
bool RunJobs(benchmark::State& state, const std::vector<T>& inputs, F task) {
  using R = decltype(task(inputs[0]));
  oneapi::tbb::global_control threads(oneapi::tbb::global_control::max_allowed_parallelism,
                                      mp::CpuCount());
  for (auto _ : state) {
    std::vector<R> results;
    switch (state.range(0)) {
      case kThreadPool: {
        absl::StatusOr<std::vector<R>> mapped = Pool().Map(task, inputs);
        if (!mapped.ok()) return false;
        results = *std::move(mapped);
        break;
      }
      case kOneTbb:
        results.resize(inputs.size());
        oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<size_t>(0, inputs.size()),
                                  [&](const oneapi::tbb::blocked_range<size_t>& range) {
                                    for (size_t i = range.begin(); i != range.end(); ++i) {
                                      results[i] = task(inputs[i]);
                                    }
                                  });
        break;
      case kOneThread:
        results.resize(inputs.size());
        for (size_t i = 0; i < inputs.size(); ++i) results[i] = task(inputs[i]);
        break;
    }
    benchmark::DoNotOptimize(results.data());
  }
  state.counters["tasks_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations() * inputs.size()), benchmark::Counter::kIsRate);
  return true;
}

void BM_TrivialMap(benchmark::State& state) {
  static const std::vector<int64_t> inputs = Numbers(kTrivialTasks);
  if (!RunJobs(state, inputs, [](int64_t x) { return x; })) state.SkipWithError("Map failed");
}

void BM_CpuBoundMap(benchmark::State& state) {
  static const std::vector<mp::scaling::PrimeRange> inputs =
      mp::scaling::CpuTasks(mp::scaling::WorkSize::Scaled(0.25, 0.25));
  if (!RunJobs(state, inputs, [](mp::scaling::PrimeRange range) {
        return mp::scaling::CountPrimes(range).value;
      })) {
    state.SkipWithError("Map failed");
  }
}

void Engines(benchmark::internal::Benchmark* benchmark, bool with_one_thread) {
  benchmark->ArgName("engine")->Arg(kThreadPool)->Arg(kOneTbb);
  if (with_one_thread) benchmark->Arg(kOneThread);
  benchmark->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_TrivialMap)->Apply([](auto* benchmark) { Engines(benchmark, true); });
BENCHMARK(BM_CpuBoundMap)->Apply([](auto* benchmark) { Engines(benchmark, false); });

// Imap over 1M inputs taken from a vector in memory, against the same inputs pulled
// lazily from a generator, 64K ahead (pool/lazy_stream.h): what constant memory costs.
void BM_ImapVector(benchmark::State& state) {
  static const std::vector<int64_t> inputs = Numbers(kTrivialTasks);
  for (auto _ : state) {
    absl::StatusOr<mp::ResultStream<int64_t>> results = Pool().Imap([](int64_t x) { return x; }, inputs);
    if (!results.ok()) return state.SkipWithError("Imap failed");
    int64_t sum = 0;
    for (int64_t i = 0; i < kTrivialTasks; ++i) sum += *results->Next();
    benchmark::DoNotOptimize(sum);
  }
}
void BM_ImapLazy(benchmark::State& state) {
  for (auto _ : state) {
    int64_t next = 0;
    mp::InputSource<int64_t> numbers = [&]() -> absl::StatusOr<std::optional<int64_t>> {
      if (next == kTrivialTasks) return std::nullopt;
      return next++;
    };
    auto results = Pool().ImapLazy([](int64_t x) { return x; }, std::move(numbers),
                                   {.buffersize = 1 << 16});
    int64_t sum = 0;
    for (int64_t i = 0; i < kTrivialTasks; ++i) sum += *results.Next();
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_ImapVector)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ImapLazy)->UseRealTime()->Unit(benchmark::kMillisecond);

class RatioReporter : public mp::bench::SummaryReporter {
  void PrintSummary(const mp::bench::WallTimes& wall_time, bool medians) override {
    auto at = [&](const std::string& name, Engine engine) {
      auto found = wall_time.find(name + "/engine:" + std::to_string(engine) + "/real_time");
      return found == wall_time.end() ? 0.0 : found->second;
    };
    std::printf("\nThreadPool against oneTBB (%s, all from this run; engine 0 ThreadPool, "
                "1 oneTBB, 2 one thread):\n", medians ? "medians of the repetitions" : "one run each");
    for (const char* job : {"BM_TrivialMap", "BM_CpuBoundMap"}) {
      const double ours = at(job, kThreadPool);
      const double peer = at(job, kOneTbb);
      if (ours > 0 && peer > 0) {
        std::printf("  %-15s ThreadPool takes %.2fx oneTBB's time\n", job, ours / peer);
      }
    }
    auto plain = [&](const std::string& name) {
      auto found = wall_time.find(name + "/real_time");
      return found == wall_time.end() ? 0.0 : found->second;
    };
    if (plain("BM_ImapVector") > 0 && plain("BM_ImapLazy") > 0) {
      std::printf("  %-15s lazy inputs (64K ahead) take %.2fx the time of a vector's\n", "Imap 1M",
                  plain("BM_ImapLazy") / plain("BM_ImapVector"));
    }
    const double ours = at("BM_TrivialMap", kThreadPool);
    const double loop = at("BM_TrivialMap", kOneThread);
    if (ours > 0 && loop > 0) {
      std::printf("  %-15s ThreadPool takes %.2fx a plain loop's time\n", "BM_TrivialMap", ours / loop);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  RatioReporter reporter;
  return mp::bench::RunBenchmarks(argc, argv, &reporter);
}
