// ChildHandle: a started child process as its parent sees it. Process and Subprocess
// are built on it; it owns the one thing every child needs: being reaped exactly once.

#ifndef MP_PROCESS_INTERNAL_CHILD_HANDLE_H_
#define MP_PROCESS_INTERNAL_CHILD_HANDLE_H_

#include <sys/types.h>

#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/annotated_mutex.h"
#include "base/unique_fd.h"

namespace mp::internal {

// Thread-safe: a thread may signal or poll the child while another waits for it.
class ChildHandle {
 public:
  virtual ~ChildHandle() = default;

  virtual pid_t pid() const = 0;

  // Waits until the child has ended or `deadline` passes. Returns its exit code
  // (ExitCodeFromWaitStatus form), or nullopt if it still runs. A deadline in the
  // past polls without blocking.
  virtual absl::StatusOr<std::optional<int>> WaitUntil(absl::Time deadline) = 0;

  // Sends `signal_number` unless the child has already been collected (then it is a
  // no-op: the pid may belong to someone else by now).
  virtual absl::Status Signal(int signal_number) = 0;

  // A descriptor that becomes readable once the child has ended and stays readable, or
  // -1 where there is none. Owned by the handle.
  virtual int sentinel() const = 0;
};

// A direct child of this process, reaped with waitpid(). Waiting sleeps on a pidfd,
// so a timed wait wakes the moment the child ends. The destructor kills (SIGKILL)
// and reaps a child that still runs: no zombie, no orphan.
class DirectChild final : public ChildHandle {
 public:
  explicit DirectChild(pid_t pid);
  ~DirectChild() override;

  pid_t pid() const override { return pid_; }
  absl::StatusOr<std::optional<int>> WaitUntil(absl::Time deadline) override;
  absl::Status Signal(int signal_number) override;
  // The pidfd: readable once the child has ended, reaped or not.
  int sentinel() const override { return pidfd_.get(); }

 private:
  // Reaps the child if it has ended.
  absl::Status TryReapLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const pid_t pid_;
  // Invalid where pidfd_open is unavailable: we poll instead. Kept open until
  // destruction, so that a waiting thread never polls a closed descriptor.
  const UniqueFd pidfd_;
  Mutex mutex_;
  std::optional<int> exit_code_ ABSL_GUARDED_BY(mutex_);  // set once reaped
};

}  // namespace mp::internal

#endif  // MP_PROCESS_INTERNAL_CHILD_HANDLE_H_
