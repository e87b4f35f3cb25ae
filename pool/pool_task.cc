#include "pool/pool_task.h"

#include <string_view>

#include "base/named_registry.h"

namespace mp::internal {

using PoolTaskRegistry = NamedRegistry<PoolTask>;

void RegisterPoolTask(const char* name, const void* function, PoolTaskEntry run,
                      PoolArgsCheck args_fit) {
  PoolTaskRegistry::Add(PoolTask{name, function, run, args_fit}, "pool tasks");
}

const PoolTask* FindPoolTaskByName(std::string_view name) {
  return PoolTaskRegistry::FindByName(name);
}

const PoolTask* FindPoolTaskByFunction(const void* function) {
  return PoolTaskRegistry::FindByFunction(function);
}

}  // namespace mp::internal
