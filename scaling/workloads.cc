#include "scaling/workloads.h"

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "pool/pool_task.h"

namespace mp::scaling {
namespace {

int64_t ThreadCpuNanos() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

int64_t ThreadId() { return static_cast<int64_t>(syscall(SYS_gettid)); }

// Times `work` on this thread's CPU clock.
template <typename Work>
TaskCost Measured(Work work) {
  const int64_t start = ThreadCpuNanos();
  const int64_t value = work();
  return {.value = value, .cpu_nanos = ThreadCpuNanos() - start, .worker = ThreadId()};
}

bool IsPrime(int64_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (int64_t divisor = 3; divisor * divisor <= n; divisor += 2) {
    if (n % divisor == 0) return false;
  }
  return true;
}

// The memory workload's array. Built before the pool forks; read-only afterwards.
std::vector<uint64_t>& Array() {
  static auto* array = new std::vector<uint64_t>();
  return *array;
}

}  // namespace

absl::string_view WorkloadName(Workload workload) {
  switch (workload) {
    case Workload::kCpu: return "cpu";
    case Workload::kMemory: return "memory";
    case Workload::kBlocking: return "blocking";
    case Workload::kSerial: return "serial";
    case Workload::kTrivial: return "trivial";
  }
  return "?";
}

std::optional<Workload> ParseWorkload(absl::string_view name) {
  for (Workload workload : kAllWorkloads) {
    if (WorkloadName(workload) == name) return workload;
  }
  return std::nullopt;
}

absl::string_view WorkloadDescription(Workload workload) {
  switch (workload) {
    case Workload::kCpu: return "count primes by trial division (CPU-bound)";
    case Workload::kMemory: return "sum slices of one large array (memory-bandwidth-bound)";
    case Workload::kBlocking: return "each task waits on a timer (blocking)";
    case Workload::kSerial: return "the cpu job with a fixed serial fraction run first (Amdahl)";
    case Workload::kTrivial: return "tasks that return their argument (pool overhead)";
  }
  return "?";
}

WorkSize WorkSize::Scaled(double work_scale, double serial_fraction) {
  WorkSize size;
  const auto scaled = [work_scale](double full, double least) {
    return static_cast<int64_t>(std::max(least, std::round(full * work_scale)));
  };
  size.numbers_per_task = scaled(20'000, 10);
  // Below a tenth of the full size the array would fit in a cache; only the smoke test
  // goes there, and it only checks that the report runs.
  size.array_bytes = work_scale >= 0.1 ? int64_t{256} << 20 : int64_t{16} << 20;
  size.slices_per_task = scaled(8, 1);
  size.wait_micros = scaled(4'000, 20);
  size.serial_fraction = serial_fraction;
  size.trivial_tasks = scaled(1'000'000, 1'000);
  return size;
}

TaskCost CountPrimes(PrimeRange range) {
  return Measured([range] {
    int64_t primes = 0;
    for (int64_t n = range.first; n < range.first + range.count; ++n) primes += IsPrime(n);
    return primes;
  });
}
MP_POOL_TASK(CountPrimes);

TaskCost SumSlices(ArraySlices slices) {
  return Measured([slices] {
    const std::vector<uint64_t>& array = Array();
    const int64_t words_per_slice = kSliceBytes / static_cast<int64_t>(sizeof(uint64_t));
    const int64_t slice_count = static_cast<int64_t>(array.size()) / words_per_slice;
    if (slice_count == 0) return int64_t{-1};  // PrepareArray() was not called
    uint64_t sum = 0;
    for (int64_t i = 0; i < slices.count; ++i) {
      const uint64_t* slice = array.data() + ((slices.first + i) % slice_count) * words_per_slice;
      for (int64_t word = 0; word < words_per_slice; ++word) sum += slice[word];
    }
    return static_cast<int64_t>(sum);
  });
}
MP_POOL_TASK(SumSlices);

TaskCost WaitMicros(int64_t micros) {
  return Measured([micros] {
    absl::SleepFor(absl::Microseconds(micros));
    return int64_t{1};
  });
}
MP_POOL_TASK(WaitMicros);

int64_t Same(int64_t x) { return x; }
MP_POOL_TASK(Same);

void PrepareArray(int64_t bytes) {
  std::vector<uint64_t>& array = Array();
  const auto words = static_cast<size_t>(bytes) / sizeof(uint64_t);
  if (array.size() == words) return;
  array.resize(words);
  for (size_t i = 0; i < words; ++i) array[i] = i % 251;
}

std::vector<PrimeRange> CpuTasks(const WorkSize& size) {
  std::vector<PrimeRange> tasks;
  for (int i = 0; i < size.tasks; ++i) {
    tasks.push_back({size.first_number + i * size.numbers_per_task, size.numbers_per_task});
  }
  return tasks;
}

std::vector<PrimeRange> ParallelPart(const WorkSize& size) {
  std::vector<PrimeRange> tasks = CpuTasks(size);
  const auto head = static_cast<int64_t>(
      std::round(static_cast<double>(size.numbers_per_task) * (1 - size.serial_fraction)));
  for (PrimeRange& task : tasks) task.count = head;
  return tasks;
}

std::vector<PrimeRange> SerialPart(const WorkSize& size) {
  std::vector<PrimeRange> tails = CpuTasks(size);
  const std::vector<PrimeRange> heads = ParallelPart(size);
  for (size_t i = 0; i < tails.size(); ++i) {
    tails[i].first += heads[i].count;
    tails[i].count -= heads[i].count;
  }
  return tails;
}

std::vector<ArraySlices> MemoryTasks(const WorkSize& size) {
  std::vector<ArraySlices> tasks;
  for (int i = 0; i < size.tasks; ++i) {
    tasks.push_back({i * size.slices_per_task, size.slices_per_task});
  }
  return tasks;
}

std::vector<int64_t> BlockingTasks(const WorkSize& size) {
  return std::vector<int64_t>(static_cast<size_t>(size.tasks), size.wait_micros);
}

std::vector<int64_t> TrivialTasks(const WorkSize& size) {
  std::vector<int64_t> tasks(static_cast<size_t>(size.trivial_tasks));
  for (size_t i = 0; i < tasks.size(); ++i) tasks[i] = static_cast<int64_t>(i);
  return tasks;
}

}  // namespace mp::scaling
