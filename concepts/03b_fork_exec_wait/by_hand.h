// Lesson 3b's experiments with the raw system calls that mp::Process wraps: fork, the exec
// family, waitpid and its status macros, exit and _exit, EINTR, and fork failing. The
// demo prints what each finds; the tests check it. Each runs in a child of its own, so a
// mistake cannot disturb the caller.

#ifndef MP_CONCEPTS_03B_FORK_EXEC_WAIT_BY_HAND_H_
#define MP_CONCEPTS_03B_FORK_EXEC_WAIT_BY_HAND_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mp::concepts {

// fork() returns twice: once in the parent, once in the child.
struct TwoReturns {
  pid_t in_parent = -1;        // what fork() returned in the parent: the child's pid
  pid_t in_child = -1;         // what it returned in the child: 0
  pid_t child_getpid = -1;     // the child's own getpid()
  pid_t child_getppid = -1;    // the child's parent: us
};
absl::StatusOr<TwoReturns> ForkReturnsTwice();

// What waitpid() said about a child, decoded with the status macros.
struct WaitStatus {
  bool exited = false;       // WIFEXITED: it called exit/_exit (or returned from main)
  int exit_status = -1;      // WEXITSTATUS: the low 8 bits of the code it gave
  bool signaled = false;     // WIFSIGNALED: a signal ended it
  int term_signal = 0;       // WTERMSIG
};
WaitStatus Decode(int raw_status);

// Forks a child that calls _exit(code); returns what waitpid() reports.
absl::StatusOr<WaitStatus> ExitWith(int code);
// Forks a child that raises `signal_number` with its default action; what waitpid() reports.
absl::StatusOr<WaitStatus> DieBySignal(int signal_number);

// A program run by fork + execve, its stdout captured.
struct Exec {
  pid_t forked = -1;        // fork()'s return in the parent
  std::string output = {};  // what the program wrote to stdout
  WaitStatus status = {};
};
// Runs `argv` (argv[0] a path) with exactly `environment` ("NAME=value"). If execve()
// fails, the child writes "exec failed: <errno name>" and _exit(127)s, as a shell does.
absl::StatusOr<Exec> ForkAndExec(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& environment);

// A line left in a stdio buffer when fork() copies the process; the child then ends with
// exit() (which flushes stdio, so the line is written twice, once by each process) or
// _exit() (which does not). Returns what reached the pipe.
absl::StatusOr<std::string> BufferedLineThenFork(bool child_calls_exit);

// A thread of ours blocks in waitpid() on a child that waits for us; we send that thread
// a signal whose handler was installed with or without SA_RESTART. Returns how many
// times waitpid() failed with EINTR before it collected the child (0 with SA_RESTART:
// the kernel restarted it), retrying as every caller of waitpid() must.
absl::StatusOr<int> InterruptedWaitpid(bool sa_restart);

// In a child where the kernel refuses to create processes (a seccomp filter makes clone
// fail with EAGAIN, as RLIMIT_NPROC or a cgroup's pids.max would; root ignores
// RLIMIT_NPROC), calls fork(). Returns the errno fork() failed with, or 0 if it did not.
absl::StatusOr<int> ForkWhereNoProcessMayStart();

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_03B_FORK_EXEC_WAIT_BY_HAND_H_
