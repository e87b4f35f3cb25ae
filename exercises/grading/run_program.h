// Running the program being graded, two ways:
//
// - RunWithPipes(): stdout and stderr are pipes, as when a learner pipes the output into
//   another program (stdio then buffers fully, which is what exposes fork's buffer bug).
// - RunAttributingOutput(): stdout is a Unix socket whose reader asks the kernel for the
//   sender of every piece of data (SO_PASSCRED). Linux never merges data from two
//   senders in one read, so each Write says which process wrote it: the grader can tell
//   a line printed by a child from one printed by the parent.
//
// - RunMeasuringCpu(): like RunWithPipes, and it also splits the program's CPU time into
//   what its own threads used and what the children it reaped used (their children
//   included), read from /proc/<pid>/stat while the program is a zombie, before it is
//   reaped. Work done in worker processes shows as children's time, whatever the clock.
//
// All wait for the program within `timeout` (then kill it), and reap it: they run it
// with mp::Subprocess.

#ifndef MP_EXERCISES_GRADING_RUN_PROGRAM_H_
#define MP_EXERCISES_GRADING_RUN_PROGRAM_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mp::grading {

struct ProgramRun {
  int exit_code = 0;  // minus the signal number if a signal ended it
  std::string stdout_text;
  std::string stderr_text;  // RunWithPipes only
};

absl::StatusOr<ProgramRun> RunWithPipes(const std::string& program,
                                        const std::vector<std::string>& args,
                                        absl::Duration timeout);

struct MeasuredRun {
  ProgramRun run;
  double wall_seconds = 0;        // start to exit
  double own_cpu_seconds = 0;     // the program's own threads
  double children_cpu_seconds = 0;  // every child it reaped, and their reaped children
};

absl::StatusOr<MeasuredRun> RunMeasuringCpu(const std::string& program,
                                            const std::vector<std::string>& args,
                                            absl::Duration timeout);

// One piece of stdout as it arrived, with the process that wrote it.
struct Write {
  pid_t writer = 0;
  std::string text;
};

struct AttributedRun {
  pid_t pid = 0;  // the program's own process
  int exit_code = 0;
  std::vector<Write> writes;  // in the order they arrived
};

absl::StatusOr<AttributedRun> RunAttributingOutput(const std::string& program,
                                                   const std::vector<std::string>& args,
                                                   absl::Duration timeout);

// RunAttributingOutput(), and what the program left when it exited. The program runs
// under ptrace, stopped for a moment as it exits (PTRACE_EVENT_EXIT): the children it
// has at that moment are listed (/proc/<pid>/task/<tid>/children), each either still
// running or ended but not reaped (a zombie). Whatever the machine's load, a program
// that sleeps instead of waiting, or does not wait, is caught every time. Children
// still running then are killed once seen, so none outlives the grade.
// (Under a sanitizer, the program runs with leak checking off: LeakSanitizer needs
// ptrace itself.)
//
// It also stops the program at each fork() it makes (PTRACE_EVENT_FORK; the new child
// itself is let go at once) and counts its children then. A program that starts N
// children and waits for them afterwards still has every earlier child at each fork
// (running, or a zombie); one that reaps a child before starting the next does not. So
// "one after another" is told apart from "all at once" by the order of events, not by
// a clock. (Forks made by other threads than the main one are not seen.)
struct ObservedRun {
  AttributedRun run;
  std::vector<pid_t> running_at_exit;   // its children still running as it exited
  std::vector<pid_t> unreaped_at_exit;  // its children that had ended, never reaped
  int forks = 0;                        // children its main thread started
  // The first fork at which a child started earlier had been reaped already (1-based:
  // 2 means it reaped the first before starting the second); 0 if none.
  int first_fork_after_a_reap = 0;
};

absl::StatusOr<ObservedRun> RunObserved(const std::string& program,
                                        const std::vector<std::string>& args,
                                        absl::Duration timeout);

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_RUN_PROGRAM_H_
