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

#include "absl/time/time.h"

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

// The system call `pid` is blocked in, with its arguments; nullopt while it runs (or
// has gone).
struct BlockedSyscall {
  long number = -1;
  unsigned long args[6] = {};
};
std::optional<BlockedSyscall> BlockedIn(pid_t pid);

// Whom `pid` is waiting for, while blocked in waitpid()/wait()/waitid(): a child's pid,
// or -1 for any child (a process group counts as any). nullopt when it is not waiting.
std::optional<pid_t> ChildWaitedFor(pid_t pid);

// Whether `pid` is blocked in a call that ends by itself when its time runs out: a sleep,
// or poll(), select(), epoll_wait() or a futex wait with a timeout.
bool InTimedWait(pid_t pid);

// Whether `pids` all look stuck now: each blocked in the kernel (state S) in a call
// without a timeout, none waiting for a child that has already ended or reading a pipe
// whose every write end is closed (both end at once), and none ran at all between two
// looks (context-switch counts unchanged). A process woken by another is normally
// runnable (R) before the waker's call returns, so a task sitting unread in a pipe is not
// taken for a stop; but a wake-up queued for another CPU can leave its target showing S
// for a moment, so a grader should trust only a stop that lasts: StallDetector.
bool AllStuck(const std::vector<pid_t>& pids);

// A stop that lasts: Stalled() is true once AllStuck(pids) has held, with every process
// in exactly the same state and call, for 20 looks in a row spanning at least 0.1 s. A
// program that still has work in hand is never blocked that way; one that is will stay
// so for ever, so the grader can report it without waiting for a timeout.
class StallDetector {
 public:
  bool Stalled(const std::vector<pid_t>& pids);

 private:
  std::string last_;  // the states and calls of the last look that looked stuck
  int looks_ = 0;
  absl::Time first_look_;
};

// The contents of a small file, such as one under /proc; "" if it cannot be read.
std::string ReadSmallFile(const std::string& path);

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_PROC_VIEW_H_
