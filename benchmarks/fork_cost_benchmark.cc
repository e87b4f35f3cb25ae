// What a fork costs as the parent grows, what writing after a fork costs, and what sharing
// a counter between two processes costs: by a lock, by an atomic, and by two counters that
// happen to share a cache line (false sharing).
//
//   bazel run -c opt //benchmarks:fork_cost_benchmark -- --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//   (one command line)
//
// Wall time (UseRealTime): the work is in child processes. After the table, the ratios the
// lessons quote, each against its baseline measured in the same run.

#include <pthread.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "benchmark/benchmark.h"
#include "benchmarks/summary_reporter.h"

namespace {

constexpr size_t kMiB = size_t{1} << 20;
constexpr size_t kPage = 4096;

// `mib` MiB of the parent's own memory, every page touched, so it is resident: what a
// large program (a loaded model, a big table) brings to each fork.
char* ResidentMemory(size_t mib) {
  if (mib == 0) return nullptr;
  char* memory = static_cast<char*>(
      mmap(nullptr, mib * kMiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (memory == MAP_FAILED) return nullptr;
  std::memset(memory, 1, mib * kMiB);
  return memory;
}

bool ForkAndWait(benchmark::State& state, char* memory, size_t bytes_to_write) {
  const pid_t child = fork();
  if (child == 0) {
    // One byte per page: each write makes the kernel copy that page for the child.
    for (size_t offset = 0; offset < bytes_to_write; offset += kPage) memory[offset] = 2;
    _exit(0);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || status != 0) {
    state.SkipWithError("the child failed");
    return false;
  }
  return true;
}

// fork + _exit + waitpid with `mib` MiB resident: the page tables are copied at fork.
void BM_ForkWithResident(benchmark::State& state) {
  const size_t mib = static_cast<size_t>(state.range(0));
  char* memory = ResidentMemory(mib);
  if (mib > 0 && memory == nullptr) return state.SkipWithError("mmap failed");
  for (auto _ : state) {
    if (!ForkAndWait(state, memory, 0)) break;
  }
  if (memory != nullptr) munmap(memory, mib * kMiB);
}
BENCHMARK(BM_ForkWithResident)->ArgName("MiB")->Arg(0)->Arg(64)->Arg(256)->Arg(1024)->UseRealTime()->Unit(benchmark::kMillisecond);

// The same, and the child writes every page: copy-on-write copies them all.
void BM_ForkThenChildWritesEveryPage(benchmark::State& state) {
  const size_t mib = static_cast<size_t>(state.range(0));
  char* memory = ResidentMemory(mib);
  if (memory == nullptr) return state.SkipWithError("mmap failed");
  for (auto _ : state) {
    if (!ForkAndWait(state, memory, mib * kMiB)) break;
  }
  munmap(memory, mib * kMiB);
}
BENCHMARK(BM_ForkThenChildWritesEveryPage)->ArgName("MiB")->Arg(64)->Arg(256)->UseRealTime()->Unit(benchmark::kMillisecond);

// Memory both processes of a fork see: MAP_SHARED, made before fork.
template <typename T>
T* SharedBetweenForks() {
  void* memory = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return memory == MAP_FAILED ? nullptr : new (memory) T();
}

// Runs `work(process_index)` in two processes at once (this one and a forked child).
template <typename Work>
bool InTwoProcesses(Work work) {
  const pid_t child = fork();
  if (child == 0) {
    work(1);
    _exit(0);
  }
  work(0);
  int status = 0;
  return child > 0 && waitpid(child, &status, 0) == child && status == 0;
}

constexpr int64_t kIncrements = 1'000'000;

// Two processes add 1 to one counter kIncrements times each, under a process-shared mutex.
void BM_SharedCounterUnderALock(benchmark::State& state) {
  struct Counter {
    pthread_mutex_t mutex;
    int64_t value;
  };
  Counter* counter = SharedBetweenForks<Counter>();
  if (counter == nullptr) return state.SkipWithError("mmap failed");
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
  pthread_mutexattr_setpshared(&attributes, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&counter->mutex, &attributes);
  for (auto _ : state) {
    counter->value = 0;
    InTwoProcesses([counter](int) {
      for (int64_t i = 0; i < kIncrements; ++i) {
        pthread_mutex_lock(&counter->mutex);
        ++counter->value;
        pthread_mutex_unlock(&counter->mutex);
      }
    });
    if (counter->value != 2 * kIncrements) state.SkipWithError("an update was lost");
  }
  munmap(counter, sizeof(Counter));
}
BENCHMARK(BM_SharedCounterUnderALock)->UseRealTime()->Unit(benchmark::kMillisecond);

// The same with one atomic add per increment: no lock, the cache line still moves.
void BM_SharedCounterAtomic(benchmark::State& state) {
  auto* counter = SharedBetweenForks<std::atomic<int64_t>>();
  if (counter == nullptr) return state.SkipWithError("mmap failed");
  for (auto _ : state) {
    counter->store(0);
    InTwoProcesses([counter](int) {
      for (int64_t i = 0; i < kIncrements; ++i) counter->fetch_add(1, std::memory_order_relaxed);
    });
    if (counter->load() != 2 * kIncrements) state.SkipWithError("an update was lost");
  }
  munmap(counter, sizeof(*counter));
}
BENCHMARK(BM_SharedCounterAtomic)->UseRealTime()->Unit(benchmark::kMillisecond);

// Two processes, each adding to a counter of its own: nothing is shared, except, when the
// two counters sit in one cache line (stride 8 bytes), the line itself, which the two
// cores then pass back and forth (false sharing). Stride 64: a line each.
void BM_OwnCounters(benchmark::State& state) {
  struct alignas(128) Counters {
    std::atomic<int64_t> words[16];
  };
  Counters* counters = SharedBetweenForks<Counters>();
  if (counters == nullptr) return state.SkipWithError("mmap failed");
  const int stride_words = static_cast<int>(state.range(0)) / 8;
  for (auto _ : state) {
    InTwoProcesses([&](int index) {
      std::atomic<int64_t>& mine = counters->words[index * stride_words];
      for (int64_t i = 0; i < 10 * kIncrements; ++i) {
        mine.store(mine.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      }
    });
  }
  munmap(counters, sizeof(Counters));
}
BENCHMARK(BM_OwnCounters)->ArgName("stride_bytes")->Arg(8)->Arg(64)->UseRealTime()->Unit(benchmark::kMillisecond);

class RatioReporter : public mp::bench::SummaryReporter {
  void PrintSummary(const mp::bench::WallTimes& wall_time, bool medians) override {
    auto at = [&](const std::string& name) {
      auto found = wall_time.find(name + "/real_time");
      return found == wall_time.end() ? 0.0 : found->second;
    };
    std::printf("\nRatios (%s, all from this run):\n", medians ? "medians of the repetitions" : "one run each");
    const double empty = at("BM_ForkWithResident/MiB:0");
    for (const char* mib : {"64", "256", "1024"}) {
      const double resident = at(std::string("BM_ForkWithResident/MiB:") + mib);
      if (empty > 0 && resident > 0) {
        std::printf("  fork+wait with %4s MiB resident: %6.1fx the empty parent's\n", mib, resident / empty);
      }
    }
    for (const char* mib : {"64", "256"}) {
      const double only = at(std::string("BM_ForkWithResident/MiB:") + mib);
      const double writes = at(std::string("BM_ForkThenChildWritesEveryPage/MiB:") + mib);
      if (only > 0 && writes > 0) {
        std::printf("  the child writing every page of %3s MiB: %5.1fx the fork alone\n", mib, writes / only);
      }
    }
    const double locked = at("BM_SharedCounterUnderALock");
    const double atomic = at("BM_SharedCounterAtomic");
    if (locked > 0 && atomic > 0) std::printf("  shared counter, lock vs atomic: %.1fx slower under the lock\n", locked / atomic);
    const double same_line = at("BM_OwnCounters/stride_bytes:8");
    const double own_line = at("BM_OwnCounters/stride_bytes:64");
    if (same_line > 0 && own_line > 0) {
      std::printf("  own counters in one cache line vs a line each: %.1fx slower (false sharing)\n",
                  same_line / own_line);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  RatioReporter reporter;
  return mp::bench::RunBenchmarks(argc, argv, &reporter);
}
