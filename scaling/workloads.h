// The workloads of the scaling report, as pool tasks that Pool, ThreadPool and the
// global-lock model all run unchanged. Each is a job of many small tasks, so that any
// number of workers gets an even share:
//
// - cpu: count the primes in ranges of numbers by trial division. Pure computation, no
//   memory traffic: the workload where processes and threads should both scale linearly
//   and a global lock should not scale at all.
// - memory: sum slices of one large array (much larger than the CPU caches). Every
//   worker streams from the same memory, so speedup stops when the memory bus is full,
//   however many cores are idle.
// - blocking: each task waits on a timer, as if for a disk or a server. Waiting needs no
//   CPU, so even more workers than cores help, and a global lock released while waiting
//   (as CPython releases the GIL) does not stop it.
// - serial: the cpu job, but a fixed fraction of it runs first on the caller alone.
//   Amdahl's law caps its speedup at 1 / serial_fraction.
// - trivial: many tasks that do nothing: the per-task cost of the pool itself.
//
// Every task reports its CPU time and which worker ran it (TaskCost), so a report can
// show whether the workers really ran at the same time.
//
// The memory workload's array is built once by PrepareArray() in the parent; Pool workers
// started with fork share its pages (they only read them).

#ifndef MP_SCALING_WORKLOADS_H_
#define MP_SCALING_WORKLOADS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"

namespace mp::scaling {

enum class Workload { kCpu, kMemory, kBlocking, kSerial, kTrivial };
inline constexpr Workload kAllWorkloads[] = {Workload::kCpu, Workload::kMemory,
                                              Workload::kBlocking, Workload::kSerial,
                                              Workload::kTrivial};

// "cpu", "memory", "blocking", "serial", "trivial".
absl::string_view WorkloadName(Workload workload);
std::optional<Workload> ParseWorkload(absl::string_view name);
// One line for a report, e.g. "count primes by trial division (CPU-bound)".
absl::string_view WorkloadDescription(Workload workload);

// How big one job of each workload is. Scaled(1.0) takes about a second of one core
// here for each of cpu, memory, blocking and serial.
struct WorkSize {
  int tasks = 240;  // divisible by 1-6, 8, 10, 12, 15 and 16: even shares
  int64_t first_number = 10'000'000;
  int64_t numbers_per_task = 0;      // cpu and serial
  int64_t array_bytes = 0;           // memory
  int64_t slices_per_task = 0;       // memory: 4 MiB slices each task sums
  int64_t wait_micros = 0;           // blocking
  double serial_fraction = 0.25;     // serial
  int64_t trivial_tasks = 0;         // trivial

  static WorkSize Scaled(double work_scale, double serial_fraction);
};

inline constexpr int64_t kSliceBytes = int64_t{4} << 20;

// What one task reports back.
struct TaskCost {
  int64_t value = 0;      // the task's answer (primes found, sum, ...)
  int64_t cpu_nanos = 0;  // CPU time the task's thread used running it
  int64_t worker = 0;     // the thread id that ran it (a worker process's pid)
};

struct PrimeRange {
  int64_t first = 0;
  int64_t count = 0;
};

struct ArraySlices {
  int64_t first = 0;  // slice index; wraps around the array
  int64_t count = 0;
};

// The pool tasks (registered with MP_POOL_TASK in workloads.cc).
TaskCost CountPrimes(PrimeRange range);
TaskCost SumSlices(ArraySlices slices);
TaskCost WaitMicros(int64_t micros);
int64_t Same(int64_t x);

// Builds the array SumSlices reads (filled, so its pages are real). Call before starting
// a Pool, so its workers inherit it; calling again with the same size does nothing.
void PrepareArray(int64_t bytes);

// The tasks of one job.
std::vector<PrimeRange> CpuTasks(const WorkSize& size);
std::vector<ArraySlices> MemoryTasks(const WorkSize& size);
std::vector<int64_t> BlockingTasks(const WorkSize& size);
std::vector<int64_t> TrivialTasks(const WorkSize& size);
// The serial workload splits each cpu task's range in two: the head goes to the workers,
// the tail (serial_fraction of it) the caller counts alone first. Together they are the
// cpu job exactly, so both find the same number of primes.
std::vector<PrimeRange> SerialPart(const WorkSize& size);
std::vector<PrimeRange> ParallelPart(const WorkSize& size);

}  // namespace mp::scaling

#endif  // MP_SCALING_WORKLOADS_H_
