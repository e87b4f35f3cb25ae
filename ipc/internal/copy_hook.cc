#include "ipc/internal/copy_hook.h"

#include <atomic>

namespace mp::internal {
namespace {

std::atomic<CopyHook> hook{nullptr};

}  // namespace

void SetCopyHookForTesting(CopyHook new_hook) { hook.store(new_hook, std::memory_order_release); }

void RunCopyHook(CopyStage stage) {
  if (CopyHook set = hook.load(std::memory_order_acquire); set != nullptr) set(stage);
}

}  // namespace mp::internal
