// The grader's side of gated tasks (task_gate.h), and what graders that watch process
// trees share.
//
//   const std::string dir = mp::grading::MakeGraderDirectory("x7");
//   mp::grading::Gate gate(dir);   // shut: every task waits in WaitAtGate()
//   ... start the program with X7_GRADER_DIR=dir ...
//   TaskCalls calls = ReadTaskCalls(dir, 12);   // who started which task, which ended
//   gate.Open();

#ifndef MP_EXERCISES_GRADING_GATED_TASKS_H_
#define MP_EXERCISES_GRADING_GATED_TASKS_H_

#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "process/testing/spawned_program.h"

namespace mp::grading {

// A new directory under TEST_TMPDIR (or /tmp) named <prefix>.XXXXXX; "" if it cannot be
// made.
std::string MakeGraderDirectory(const std::string& prefix);

// <dir>/gate (or <dir>/gate.<task>, a gate for one task: task_gate.h), held shut (an
// exclusive lock) from construction until Open() or the end.
class Gate {
 public:
  explicit Gate(const std::string& dir, int task = 0);
  ~Gate() { Open(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  void Open();

 private:
  int fd_ = -1;
};

// What the tasks 1 .. `tasks` recorded so far: task -> the pid that ran it; those ended.
struct TaskCalls {
  std::map<int, pid_t> started;
  std::set<int> ended;
};
TaskCalls ReadTaskCalls(const std::string& dir, int tasks);

// Tasks started, not ended, in a process that has not ended.
std::map<int, pid_t> RunningTasks(const TaskCalls& calls);

// Whether `pid` exists and has not ended (a zombie has).
bool Alive(pid_t pid);

// `program` and those of its children that have not ended: what StallDetector watches.
std::vector<pid_t> LiveTree(pid_t program);

// Sends SIGKILL to `pid` and returns once it has ended (a zombie, or gone): until then it
// would still count as Alive, and as running its task.
void KillAndWaitUntilEnded(pid_t pid);

// Appends to `output` one line of `program`'s stdout if a whole one comes within `wait`,
// and returns whether one did; at end of file it waits `wait` instead, so a grader's
// watching loop, paced by this call, never spins.
bool ReadALineInto(test::SpawnedProgram& program, std::string& output, absl::Duration wait);

// For a grader that made itself a subreaper (PR_SET_CHILD_SUBREAPER): collects every
// process the graded program left it. Call once the program itself has been collected.
void ReapOrphans();

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_GATED_TASKS_H_
