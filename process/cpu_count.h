// CpuCount(): how many CPUs this process may run on.
//
// This is the number to size a pool of CPU-bound workers by. It honours the CPU affinity
// mask (taskset, cgroups' cpusets, sched_setaffinity), so on a machine with 64 CPUs where
// we may use only 2, it says 2. Python's os.cpu_count() says 64 there; its
// os.process_cpu_count() (3.13+) says 2, as we do.
//
//   int workers = mp::CpuCount();  // e.g. 2 under `taskset -c 0,1 ./program`
//
// Thread safety: safe to call from any thread. The mask read is the calling thread's,
// which is the process's unless a thread changed its own affinity.

#ifndef MP_PROCESS_CPU_COUNT_H_
#define MP_PROCESS_CPU_COUNT_H_

namespace mp {

// Returns the number of CPUs in the calling thread's affinity mask; at least 1. If the
// mask cannot be read, falls back to the number of CPUs online.
int CpuCount();

}  // namespace mp

#endif  // MP_PROCESS_CPU_COUNT_H_
