#include "exercises/x10_ctrl_c/task.h"

#include <time.h>

#include <cstdio>
#include <string>

#include "exercises/grading/task_gate.h"

namespace x10 {

void RunTask(int x, const std::string& scratch) {
  const std::string grader = mp::grading::GraderDirectory("X10_GRADER_DIR");
  if (!grader.empty()) {
    mp::grading::RecordTaskStart(grader, x);
    mp::grading::WaitAtGate(grader, x);
  } else {
    timespec left = {0, 500 * 1000 * 1000};  // the "long" job: half a second
    while (nanosleep(&left, &left) != 0) {   // a signal that does not kill us: sleep on
    }
  }
  mp::grading::WriteFileWhole(scratch + "/result." + std::to_string(x),
                              std::to_string(static_cast<long>(x) * x));
  if (!grader.empty()) mp::grading::RecordTaskEnd(grader, x);
}

long ReadResult(int x, const std::string& scratch) {
  std::FILE* file = std::fopen((scratch + "/result." + std::to_string(x)).c_str(), "re");
  if (file == nullptr) return -1;
  long result = -1;
  if (std::fscanf(file, "%ld", &result) != 1) result = -1;
  std::fclose(file);
  return result;
}

}  // namespace x10
