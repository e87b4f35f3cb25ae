// The long job exercise X10's runner runs, one task per child process. Do not edit: the
// grader watches it.
//
// RunTask(x, scratch) computes x * x, taking about half a second, and writes the result
// to <scratch>/result.<x>. Under the grader (X10_GRADER_DIR set) it also records that it
// started (D/start.<x>, holding its pid) and ended (D/end.<x>), and instead of taking half
// a second it waits at a gate the grader holds (D/gate): so the grader decides when a
// task may finish, and knows which were running when it sent a signal.

#ifndef MP_EXERCISES_X10_CTRL_C_TASK_H_
#define MP_EXERCISES_X10_CTRL_C_TASK_H_

#include <string>

namespace x10 {

void RunTask(int x, const std::string& scratch);

// The result RunTask(x, ...) writes; -1 if <scratch>/result.<x> is missing or unreadable.
long ReadResult(int x, const std::string& scratch);

}  // namespace x10

#endif  // MP_EXERCISES_X10_CTRL_C_TASK_H_
