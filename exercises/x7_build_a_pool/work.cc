#include "exercises/x7_build_a_pool/work.h"

#include <cstdint>
#include <string>

#include "exercises/grading/task_gate.h"

namespace x7 {

int64_t Work(int64_t x) {
  const std::string grader = mp::grading::GraderDirectory("X7_GRADER_DIR");
  if (!grader.empty()) {
    mp::grading::RecordTaskStart(grader, static_cast<int>(x));
    mp::grading::WaitAtGate(grader, static_cast<int>(x));
    mp::grading::RecordTaskEnd(grader, static_cast<int>(x));
  }
  return x * x;
}

}  // namespace x7
