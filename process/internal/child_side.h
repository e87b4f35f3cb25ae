// What every child does before and after its task, whatever its start method.

#ifndef MP_PROCESS_INTERNAL_CHILD_SIDE_H_
#define MP_PROCESS_INTERNAL_CHILD_SIDE_H_

#include <sys/types.h>

#include <functional>
#include <string>

namespace mp::internal {

// What a child knows about itself and its parent.
struct Identity {
  std::string name;
  bool daemon = false;
  pid_t parent_pid = 0;
  std::string parent_name;
};

// This process's identity; nullptr in a process that no mp::Process started.
const Identity* CurrentIdentity();

// This process's parent in the kernel's eyes when it started (the fork server, for a
// forkserver child; else the process that started it); 0 where no Process started it.
pid_t KernelParentAtStart();

// Makes `identity` this process's own (it must live until the process ends). For a
// daemon, asks the kernel to SIGKILL this process when `watched_parent` (its parent
// in the kernel's eyes: the fork server, for a forkserver child) ends, and dies at
// once if it already has. Async-signal-safe, so a child forked from a multi-threaded
// parent may call it.
void BecomeChild(const Identity* identity, pid_t watched_parent);

// Runs the task, flushes stdio and ends the process with the task's exit code. An
// exception that escapes the task is printed to stderr and exits with 1, as an
// uncaught exception does in Python. Never returns into the caller's stack, so a
// child forked inside a test never runs the rest of the test.
[[noreturn]] void RunTaskAndExit(const std::function<int()>& task);

}  // namespace mp::internal

#endif  // MP_PROCESS_INTERNAL_CHILD_SIDE_H_
