#include "process/task_registry.h"

#include <string_view>

#include "base/named_registry.h"

namespace mp::internal {

using TaskRegistry = NamedRegistry<RegisteredTask>;

void RegisterTask(const char* name, const void* function, TaskEntry run) {
  TaskRegistry::Add(RegisteredTask{name, function, run}, "tasks");
}

const RegisteredTask* FindTaskByName(std::string_view name) {
  return TaskRegistry::FindByName(name);
}

const RegisteredTask* FindTaskByFunction(const void* function) {
  return TaskRegistry::FindByFunction(function);
}

}  // namespace mp::internal
