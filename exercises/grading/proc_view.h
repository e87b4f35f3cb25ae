// What a process holds and what it is blocked in, read from /proc/<pid>.
//
// Pipe ends, from /proc/<pid>/fd and /proc/<pid>/fdinfo:
// A pipe shows in /proc as "pipe:[<inode>]": both ends of one pipe share the inode, so
// two processes hold ends of the same pipe exactly when their targets are equal. Graders
// use it to name the end a learner forgot to close ("the consumer still held the write
// end of the first pipe, as fd 4"), and hang_report.h to say who keeps a reader waiting.
//
// The system call a process is blocked in, from /proc/<pid>/syscall (readable for our
// own descendants): a grader can tell "waiting for a child" from "reading a pipe" and,
// for a wait, which child, without guessing from time.
#ifndef MP_EXERCISES_GRADING_PROC_VIEW_H_
#define MP_EXERCISES_GRADING_PROC_VIEW_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace mp::grading {

struct PipeEnd {
  int fd = -1;
  std::string pipe;     // "pipe:[<inode>]"
  bool writes = false;  // the write end (opened O_WRONLY); otherwise the read end
};

// Every pipe end `pid` holds, by descriptor number. Empty once `pid` has gone, or when
// /proc may not be read for it.
std::vector<PipeEnd> PipeEndsOf(pid_t pid);

// What descriptor `fd` of `pid` refers to ("pipe:[12]", "/dev/null", ...); "" if none.
std::string TargetOf(pid_t pid, long fd);

// The system call `pid` is blocked in, with its first two arguments; nullopt while it
// runs (or has gone).
struct BlockedSyscall {
  long number = -1;
  unsigned long first_arg = 0;
  unsigned long second_arg = 0;
};
std::optional<BlockedSyscall> BlockedIn(pid_t pid);

// Whom `pid` is waiting for, while blocked in waitpid()/wait()/waitid(): a child's pid,
// or -1 for any child (a process group counts as any). nullopt when it is not waiting.
std::optional<pid_t> ChildWaitedFor(pid_t pid);

// The contents of a small file, such as one under /proc; "" if it cannot be read.
std::string ReadSmallFile(const std::string& path);

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_PROC_VIEW_H_
