#include "process/cpu_count.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace mp {

int CpuCount() {
  // The kernel rejects a mask smaller than its own (EINVAL), and machines with more than
  // the 1024 CPUs of a plain cpu_set_t exist, so grow the mask until it fits.
  for (int max_cpus = 1024; max_cpus <= (1 << 20); max_cpus *= 2) {
    cpu_set_t* mask = CPU_ALLOC(max_cpus);
    if (mask == nullptr) break;
    const size_t mask_size = CPU_ALLOC_SIZE(max_cpus);
    CPU_ZERO_S(mask_size, mask);
    const int rc = sched_getaffinity(0, mask_size, mask);
    const int count = CPU_COUNT_S(mask_size, mask);
    const int error = errno;
    CPU_FREE(mask);
    if (rc == 0) return std::max(count, 1);
    if (error != EINVAL) break;
  }
  return static_cast<int>(std::max(sysconf(_SC_NPROCESSORS_ONLN), 1L));
}

}  // namespace mp
