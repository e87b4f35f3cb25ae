// The fork server: a single-threaded copy of this program, started with SpawnSelf(),
// that forks children on request. Forking a single-threaded process is safe; forking
// a multi-threaded one is not (a lock held by another thread stays locked forever in
// the child). So a multi-threaded parent asks the server to fork for it.
//
// Protocol, over a SOCK_SEQPACKET socket pair (one message per request):
//   parent -> server: one byte, with a task-message memfd attached (SCM_RIGHTS);
//   server -> parent: the child's pid as int32 (or -errno), with the read end of a
//                     pipe attached on which the server writes the child's exit
//                     code (int32) once it has reaped it.
// The children are the server's, not ours: we learn how they ended from that pipe.
// The server exits when the socket reads end of file, which happens when this
// process closes it or dies; daemon children die with the server.

#ifndef MP_PROCESS_INTERNAL_FORK_SERVER_H_
#define MP_PROCESS_INTERNAL_FORK_SERVER_H_

#include <sys/types.h>

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/annotated_mutex.h"
#include "base/unique_fd.h"
#include "process/internal/child_handle.h"
#include "process/internal/task_message.h"

namespace mp::internal {

// The parent's side. Thread-safe.
class ForkServer {
 public:
  // The fork server of the calling process (a forked child gets its own, so it never
  // touches a lock that its parent's threads might have held when it was forked).
  static ForkServer& OfThisProcess();

  // Starts the server if it is not running.
  absl::Status Start();

  // Has the server (started now if it is not running, or if it died since the last
  // request) fork a child that runs `message`. Unavailable only if the server dies
  // between receiving the request and answering it (whether it forked is then unknown);
  // the next call starts a new one. A child whose server dies before reporting how it
  // ended reports kExitCodeUnknownToForkServer once it has ended.
  absl::StatusOr<std::unique_ptr<ChildHandle>> StartChild(const TaskMessage& message);

  // Stops the server and reaps it. Children it started keep running, but their
  // exit codes can no longer be learned: join them first.
  absl::Status Shutdown();

  // In a child forked from this process: closes the inherited connection, so that
  // the server still sees end of file when this process exits. Async-signal-safe.
  static void CloseInheritedConnection();

 private:
  absl::Status EnsureRunningLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void StopLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  Mutex mutex_;
  UniqueFd connection_ ABSL_GUARDED_BY(mutex_);
  std::unique_ptr<DirectChild> server_ ABSL_GUARDED_BY(mutex_);
};

// The server's main loop, run by HandOffToLibrary() in the spawned copy.
[[noreturn]] void ServeForksAndExit(int connection_fd);

}  // namespace mp::internal

#endif  // MP_PROCESS_INTERNAL_FORK_SERVER_H_
