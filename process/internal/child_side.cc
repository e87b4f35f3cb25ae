#include "process/internal/child_side.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <functional>

#include "base/put_bug_back.h"

namespace mp::internal {
namespace {

std::atomic<const Identity*> current_identity{nullptr};
std::atomic<pid_t> kernel_parent{0};

}  // namespace

const Identity* CurrentIdentity() { return current_identity.load(); }

pid_t KernelParentAtStart() { return kernel_parent.load(); }

void BecomeChild(const Identity* identity, pid_t watched_parent) {
  current_identity.store(identity);
  kernel_parent.store(watched_parent);
  if (!identity->daemon || BugPutBack("children_without_pdeathsig")) return;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent may have died before the request took effect: then the kernel will
  // never send the signal, so deliver it ourselves.
  if (::getppid() != watched_parent) ::kill(::getpid(), SIGKILL);
}

void RunTaskAndExit(const std::function<int()>& task) {
  int exit_code = 1;
  try {
    exit_code = task();
  } catch (const std::exception& error) {
    const Identity* identity = CurrentIdentity();
    std::fprintf(stderr, "Process %s: uncaught exception: %s\n",
                 identity != nullptr ? identity->name.c_str() : "?", error.what());
  } catch (...) {
    std::fprintf(stderr, "Process: uncaught exception of unknown type\n");
  }
  // The task's buffered output belongs to this child: write it out now, because
  // _exit() discards buffers. (The parent flushed its own buffers before forking, so
  // nothing it printed is written twice.)
  std::fflush(nullptr);
  // _exit, not exit: a forked child must not run the parent's atexit handlers and
  // static destructors (a test framework's, for instance) a second time.
  ::_exit(exit_code);
}

}  // namespace mp::internal
