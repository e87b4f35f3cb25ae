#include "pool/pool_task.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace mp::internal {
namespace {

// Filled while static initializers run (one thread), read-only afterwards.
std::vector<PoolTask>& Registry() {
  static auto* tasks = new std::vector<PoolTask>();
  return *tasks;
}

}  // namespace

void RegisterPoolTask(const char* name, const void* function, PoolTaskEntry run) {
  if (FindPoolTaskByName(name) != nullptr) {
    std::fprintf(stderr, "mp: two pool tasks are registered as '%s'; rename one\n", name);
    std::abort();
  }
  Registry().push_back(PoolTask{name, function, run});
}

const PoolTask* FindPoolTaskByName(std::string_view name) {
  for (const PoolTask& task : Registry()) {
    if (task.name == name) return &task;
  }
  return nullptr;
}

const PoolTask* FindPoolTaskByFunction(const void* function) {
  for (const PoolTask& task : Registry()) {
    if (task.function == function) return &task;
  }
  return nullptr;
}

}  // namespace mp::internal
