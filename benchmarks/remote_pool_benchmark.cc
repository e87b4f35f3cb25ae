// What going over the network costs: RemotePool against worker hosts on this machine
// (loopback), next to the local Pool on the same jobs.
//
//   bazel run -c opt //benchmarks:remote_pool_benchmark
//
// BM_RemoteCpuMap/hosts:H: a CPU-bound Starmap (48 tasks counting primes) over H hosts of
//   one worker each; BM_LocalCpuMap/workers:W is the same map on a local Pool of W
//   workers. On a machine with H free cores the two should scale alike.
// BM_RemoteApplyRoundTrip vs BM_LocalApplyRoundTrip: one ApplyAsync(...).Get() at a time,
//   the fixed cost of one task.
// BM_RemoteTrivialMap vs BM_LocalTrivialMap: Map(Square) over 100,000 numbers (automatic
//   chunks): the per-task cost once round trips are amortized.
// The hosts are started once, by this program (//pool/remote:worker, --workers=1).
//
// Clock: wall time (UseRealTime): the work happens in other processes.

#include <cstdint>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/cli/runfile.h"
#include "benchmark/benchmark.h"
#include "benchmarks/summary_reporter.h"
#include "grpc/grpc.h"
#include "pool/pool.h"
#include "pool/remote/loopback_host.h"
#include "pool/remote/remote_pool.h"
#include "pool/remote/stock_tasks.h"
#include "process/hand_off.h"

namespace {

using ::mp::remote::CountPrimes;
using ::mp::remote::Square;

constexpr int kMostHosts = 3;

std::string program_path;  // argv[0], to find the worker among our runfiles

std::string WorkerPath() {
  absl::StatusOr<std::string> worker = mp::cli::FindRunfile(program_path.c_str(), "pool/remote/worker");
  if (!worker.ok()) {
    std::fprintf(stderr, "%s\n", std::string(worker.status().message()).c_str());
    return "";
  }
  return *worker;
}

// Worker hosts on loopback, started on first use, one worker each; they end with us
// (their stdin is our pipe).
std::vector<std::string>& HostAddresses() {
  static auto* addresses = new std::vector<std::string>();
  static auto* hosts = new std::vector<mp::remote::LoopbackHost>();
  const std::string worker = addresses->size() < kMostHosts ? WorkerPath() : "";
  while (addresses->size() < kMostHosts && !worker.empty()) {
    absl::StatusOr<mp::remote::LoopbackHost> host =
        mp::remote::StartLoopbackHost(worker, {"--workers=1"});
    if (!host.ok()) break;
    addresses->push_back(host->address);
    hosts->push_back(*std::move(host));
  }
  return *addresses;
}

std::vector<std::tuple<int64_t, int64_t>> CpuTasks() {
  std::vector<std::tuple<int64_t, int64_t>> ranges;
  for (int64_t i = 0; i < 48; ++i) ranges.emplace_back(1'000'000 + i * 20'000, 20'000);
  return ranges;
}

std::vector<int64_t> Numbers(int64_t count) {
  std::vector<int64_t> numbers(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) numbers[static_cast<size_t>(i)] = i;
  return numbers;
}

absl::StatusOr<mp::RemotePool> RemotePoolOf(int hosts) {
  std::vector<std::string>& all = HostAddresses();
  if (static_cast<int>(all.size()) < hosts) return absl::UnavailableError("worker hosts did not start");
  return mp::RemotePool::Create({.hosts = std::vector<std::string>(all.begin(), all.begin() + hosts),
                                 .auth_token = mp::remote::LoopbackToken()});
}

template <typename PoolType>
void CpuMap(benchmark::State& state, absl::StatusOr<PoolType> pool) {
  if (!pool.ok()) return state.SkipWithError(pool.status().ToString().c_str());
  const auto tasks = CpuTasks();
  for (auto _ : state) {
    auto primes = pool->Starmap(CountPrimes, tasks, {.chunksize = 1});
    if (!primes.ok()) return state.SkipWithError(primes.status().ToString().c_str());
  }
}

template <typename PoolType>
void ApplyRoundTrip(benchmark::State& state, absl::StatusOr<PoolType> pool) {
  if (!pool.ok()) return state.SkipWithError(pool.status().ToString().c_str());
  int64_t i = 0;
  for (auto _ : state) {
    if (!pool->Apply(Square, ++i).ok()) return state.SkipWithError("Apply failed");
  }
}

template <typename PoolType>
void TrivialMap(benchmark::State& state, absl::StatusOr<PoolType> pool) {
  if (!pool.ok()) return state.SkipWithError(pool.status().ToString().c_str());
  const std::vector<int64_t> numbers = Numbers(100'000);
  for (auto _ : state) {
    if (!pool->Map(Square, numbers).ok()) return state.SkipWithError("Map failed");
  }
  state.counters["tasks_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 100'000, benchmark::Counter::kIsRate);
}

void BM_RemoteCpuMap(benchmark::State& state) {
  CpuMap(state, RemotePoolOf(static_cast<int>(state.range(0))));
}
void BM_LocalCpuMap(benchmark::State& state) {
  CpuMap(state, mp::Pool::Create({.workers = static_cast<int>(state.range(0))}));
}
void BM_RemoteApplyRoundTrip(benchmark::State& state) { ApplyRoundTrip(state, RemotePoolOf(1)); }
void BM_LocalApplyRoundTrip(benchmark::State& state) {
  ApplyRoundTrip(state, mp::Pool::Create({.workers = 1}));
}
void BM_RemoteTrivialMap(benchmark::State& state) { TrivialMap(state, RemotePoolOf(kMostHosts)); }
void BM_LocalTrivialMap(benchmark::State& state) {
  TrivialMap(state, mp::Pool::Create({.workers = kMostHosts}));
}

BENCHMARK(BM_RemoteCpuMap)->ArgName("hosts")->DenseRange(1, kMostHosts)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LocalCpuMap)->ArgName("workers")->DenseRange(1, kMostHosts)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RemoteApplyRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LocalApplyRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RemoteTrivialMap)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LocalTrivialMap)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  program_path = argv[0];
  grpc_init();  // kept for the whole run: channels come and go between benchmarks
  return mp::bench::RunBenchmarks(argc, argv, /*summary=*/nullptr);
}
