#include "concepts/09_fault_tolerance/crashing_tasks.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "concepts/02_processes_vs_threads/cpu_overlap.h"
#include "ipc/shared_value.h"
#include "pool/pool_task.h"

namespace mp::concepts {
namespace {

// Set in each worker by ConfigureCrash.
int64_t crash_task = -1;
Crash crash_how = Crash::kSigkill;
std::optional<RawSharedValue<int32_t>> attempts;  // shared by every worker
int64_t work_micros = 0;

[[noreturn]] void CrashThisWorker(Crash how) {
  switch (how) {
    case Crash::kSigkill:
      raise(SIGKILL);
      break;
    case Crash::kSegfault:
      signal(SIGSEGV, SIG_DFL);  // the default action, not a sanitizer's report
      raise(SIGSEGV);
      break;
    case Crash::kAbort:
      signal(SIGABRT, SIG_DFL);
      std::abort();
    case Crash::kExit:
      _exit(3);
  }
  _exit(99);  // not reached
}

}  // namespace

bool ParseCrash(const std::string& name, Crash* crash) {
  static constexpr std::pair<const char*, Crash> kNames[] = {
      {"sigkill", Crash::kSigkill}, {"segfault", Crash::kSegfault},
      {"abort", Crash::kAbort}, {"exit", Crash::kExit}};
  for (const auto& [known, value] : kNames) {
    if (name == known) {
      *crash = value;
      return true;
    }
  }
  return false;
}

void ConfigureCrash(int64_t task, int32_t how, std::string attempts_name, int64_t task_cpu_micros) {
  crash_task = task;
  work_micros = task_cpu_micros;
  crash_how = static_cast<Crash>(how);
  if (!attempts_name.empty()) {
    absl::StatusOr<RawSharedValue<int32_t>> shared = RawSharedValue<int32_t>::Attach(attempts_name);
    if (!shared.ok()) throw std::runtime_error(std::string(shared.status().message()));
    attempts.emplace(*std::move(shared));
  }
}
MP_POOL_TASK(ConfigureCrash);

int64_t DoubleOrCrash(int64_t task) {
  SpinForCpuMicros(work_micros / 2);
  if (task == crash_task) {
    const bool first_attempt =
        !attempts.has_value() || std::atomic_ref<int32_t>(**attempts).fetch_add(1) == 0;
    if (first_attempt) CrashThisWorker(crash_how);
  }
  SpinForCpuMicros(work_micros - work_micros / 2);
  return 2 * task;
}
MP_POOL_TASK(DoubleOrCrash);

}  // namespace mp::concepts
