#include "concepts/02_processes_vs_threads/cpu_overlap.h"

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mp::concepts {
namespace {

int64_t Now(clockid_t clock) {
  timespec now;
  clock_gettime(clock, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

CpuSpin SpinForCpu(int64_t cpu_ms) { return SpinForCpuMicros(cpu_ms * 1000); }

CpuSpin SpinForCpuMicros(int64_t cpu_us) {
  CpuSpin spin;
  spin.start_ns = Now(CLOCK_MONOTONIC);
  const int64_t cpu_start = Now(CLOCK_THREAD_CPUTIME_ID);
  volatile uint64_t work = 0;
  while (Now(CLOCK_THREAD_CPUTIME_ID) - cpu_start < cpu_us * 1000) {
    for (int i = 0; i < 1000; ++i) work = work + static_cast<uint64_t>(i);
  }
  spin.cpu_ns = Now(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
  spin.end_ns = Now(CLOCK_MONOTONIC);
  return spin;
}

double CpuOverlap(const std::vector<CpuSpin>& spins) {
  if (spins.empty()) return 0;
  int64_t cpu = 0;
  int64_t first_start = spins[0].start_ns;
  int64_t last_end = spins[0].end_ns;
  for (const CpuSpin& spin : spins) {
    cpu += spin.cpu_ns;
    first_start = std::min(first_start, spin.start_ns);
    last_end = std::max(last_end, spin.end_ns);
  }
  return static_cast<double>(cpu) / static_cast<double>(std::max<int64_t>(1, last_end - first_start));
}

PinnedToOneCpu::PinnedToOneCpu() {
  CPU_ZERO(&before_);
  sched_getaffinity(0, sizeof(before_), &before_);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  sched_setaffinity(0, sizeof(one), &one);
}

PinnedToOneCpu::~PinnedToOneCpu() { sched_setaffinity(0, sizeof(before_), &before_); }

}  // namespace mp::concepts
