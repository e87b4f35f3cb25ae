// CpuRelax(): one step of a spin-wait. Tells the CPU that this loop only watches memory,
// so it may save power, give the core's other hyperthread the pipeline, and not flush it
// when the watched value changes. One case per architecture; elsewhere it does nothing,
// which is correct, only less polite.

#ifndef MP_BASE_CPU_RELAX_H_
#define MP_BASE_CPU_RELAX_H_

namespace mp {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace mp

#endif  // MP_BASE_CPU_RELAX_H_
