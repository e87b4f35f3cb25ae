#include "process/task_registry.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace mp::internal {
namespace {

// Filled while static initializers run (one thread), read-only afterwards.
std::vector<RegisteredTask>& Registry() {
  static auto* tasks = new std::vector<RegisteredTask>();
  return *tasks;
}

}  // namespace

void RegisterTask(const char* name, const void* function, TaskEntry run) {
  if (FindTaskByName(name) != nullptr) {
    std::fprintf(stderr,
                 "mp: two tasks are registered as '%s'; give one of them another name\n",
                 name);
    std::abort();
  }
  Registry().push_back(RegisteredTask{name, function, run});
}

const RegisteredTask* FindTaskByName(std::string_view name) {
  for (const RegisteredTask& task : Registry()) {
    if (task.name == name) return &task;
  }
  return nullptr;
}

const RegisteredTask* FindTaskByFunction(const void* function) {
  for (const RegisteredTask& task : Registry()) {
    if (task.function == function) return &task;
  }
  return nullptr;
}

}  // namespace mp::internal
