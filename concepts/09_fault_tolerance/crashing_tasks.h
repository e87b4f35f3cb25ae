// The pool tasks of lesson 9, shared by its demo and its test: a task that crashes its
// worker in a chosen way, the first time it runs or every time.

#ifndef MP_CONCEPTS_09_FAULT_TOLERANCE_CRASHING_TASKS_H_
#define MP_CONCEPTS_09_FAULT_TOLERANCE_CRASHING_TASKS_H_

#include <cstdint>
#include <string>

namespace mp::concepts {

enum class Crash : int32_t { kSigkill, kSegfault, kAbort, kExit };

// "sigkill", "segfault", "abort", "exit"; false for anything else.
bool ParseCrash(const std::string& name, Crash* crash);

// Pool initializer: task `crash_task` crashes its worker in the way `crash` says. If
// `attempts_name` names a RawSharedValue<int32_t>, only the first attempt crashes (a
// transient fault); if it is empty, every attempt does. Each task first computes for
// `task_cpu_micros` of CPU time (0: none), so that a timeline shows it.
void ConfigureCrash(int64_t crash_task, int32_t crash, std::string attempts_name, int64_t task_cpu_micros);

// Returns 2 * task, except that the configured task crashes its worker (half-way
// through its work).
int64_t DoubleOrCrash(int64_t task);

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_09_FAULT_TOLERANCE_CRASHING_TASKS_H_
