// Telling parallelism from concurrency, by CPU time.
//
// A barrier that N workers all reach proves they were alive at the same time
// (concurrency): one CPU taking turns gets them all there too. What one CPU cannot do is
// give out more CPU time than time passes. So: let each worker burn a fixed amount of
// CPU, record when it started and ended, and compare the CPU time they used together
// with the wall time the whole took. Above 1, at least two of them computed at the same
// moment on different CPUs (parallelism); at most 1 is all a single CPU can give.
//
//   std::vector<CpuSpin> spins = ...;  // each from SpinForCpu(100), in its own worker
//   if (CpuOverlap(spins) > 1.15) ...  // they ran in parallel: one CPU gives at most 1

#ifndef MP_CONCEPTS_02_PROCESSES_VS_THREADS_CPU_OVERLAP_H_
#define MP_CONCEPTS_02_PROCESSES_VS_THREADS_CPU_OVERLAP_H_

#include <sched.h>

#include <cstdint>
#include <vector>

namespace mp::concepts {

// What one worker did: CPU time used, and when (CLOCK_MONOTONIC, the same clock in
// every process of the machine) it started and ended.
struct CpuSpin {
  int64_t cpu_ns = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

// Computes until the calling thread has used `cpu_ms` milliseconds of CPU time. (Lessons
// 4 and 9 use it too, as a task of a known amount of work: a busy machine stretches its
// wall time, not its work.)
CpuSpin SpinForCpu(int64_t cpu_ms);
CpuSpin SpinForCpuMicros(int64_t cpu_us);

// The CPU time of all `spins` together over the wall time from the first start to the
// last end. More than 1 only if some ran in parallel.
double CpuOverlap(const std::vector<CpuSpin>& spins);

// While it lives, the calling thread (and every thread or process it starts) may run on
// one CPU only: the counterfactual "one core" for a test. Restores the old mask.
class PinnedToOneCpu {
 public:
  PinnedToOneCpu();
  ~PinnedToOneCpu();
  PinnedToOneCpu(const PinnedToOneCpu&) = delete;
  PinnedToOneCpu& operator=(const PinnedToOneCpu&) = delete;

 private:
  cpu_set_t before_;
};

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_02_PROCESSES_VS_THREADS_CPU_OVERLAP_H_
