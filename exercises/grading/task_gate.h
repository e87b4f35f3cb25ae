// The task side of a gated grader (exercises X7 and X10): the function a learner's pool
// runs records, in a directory the grader watches, which process runs each task and when
// it ends, and waits at a gate the grader holds. The grader then decides when tasks may
// finish, so what it checks (how many ran at once, which were running when it killed a
// worker or sent a signal) never depends on how fast anything ran. The grader's side is
// gated_tasks.h.
//
//   const std::string dir = mp::grading::GraderDirectory("X7_GRADER_DIR");
//   if (!dir.empty()) {
//     mp::grading::RecordTaskStart(dir, x);  // <dir>/start.<x>: the pid running it
//     mp::grading::WaitAtGate(dir, x);       // while the grader holds <dir>/gate, and
//                                            // <dir>/gate.<x> if it made one
//   }
//   ... the work ...
//   if (!dir.empty()) mp::grading::RecordTaskEnd(dir, x);  // <dir>/end.<x>
//
// Not testonly: it is linked into the learner's program, and does nothing unless the
// grader set the variable.

#ifndef MP_EXERCISES_GRADING_TASK_GATE_H_
#define MP_EXERCISES_GRADING_TASK_GATE_H_

#include <string>

namespace mp::grading {

// The directory environment variable `variable` names; "" when it is not set.
std::string GraderDirectory(const char* variable);

void RecordTaskStart(const std::string& dir, int task);
// Waits while the grader holds <dir>/gate shut, then while it holds <dir>/gate.<task>
// (if that exists: a gate for one task alone, to hold it back after the others).
void WaitAtGate(const std::string& dir, int task);
void RecordTaskEnd(const std::string& dir, int task);

// Writes `text` to `path` whole (through a temporary name): a reader never sees half a
// file.
void WriteFileWhole(const std::string& path, const std::string& text);

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_TASK_GATE_H_
