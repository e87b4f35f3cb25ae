// The function exercise X7's pool maps over its inputs. Do not edit: the grader watches
// it.
//
// Work(x) is x * x. Under the grader (X7_GRADER_DIR set), each call also records that it
// started (D/start.<x>, holding the pid that runs it) and that it ended (D/end.<x>), and
// while the grader holds D/gate locked, it waits there first: so the grader sees which
// process runs which input, how many run at once, and can kill a worker mid-task.

#ifndef MP_EXERCISES_X7_BUILD_A_POOL_WORK_H_
#define MP_EXERCISES_X7_BUILD_A_POOL_WORK_H_

#include <cstdint>

namespace x7 {

int64_t Work(int64_t x);

}  // namespace x7

#endif  // MP_EXERCISES_X7_BUILD_A_POOL_WORK_H_
