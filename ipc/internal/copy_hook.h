// For tests of what a process killed in the middle of a copy leaves behind: a function
// that ByteQueue calls halfway through each copy it makes without the queue's lock
// (messages of ByteQueue::kCopyOutsideLockBytes and more). A test's child sets one that
// stops there, and the test kills it.
//
// Unset, it costs one load per large Put() or Get().

#ifndef MP_IPC_INTERNAL_COPY_HOOK_H_
#define MP_IPC_INTERNAL_COPY_HOOK_H_

namespace mp::internal {

enum class CopyStage { kWriting, kReading };

using CopyHook = void (*)(CopyStage stage);

// Replaces the hook for this process (nullptr: none).
void SetCopyHookForTesting(CopyHook hook);

// Calls the hook, if one is set.
void RunCopyHook(CopyStage stage);

}  // namespace mp::internal

#endif  // MP_IPC_INTERNAL_COPY_HOOK_H_
