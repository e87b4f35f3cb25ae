// Grading exercises the way a learner does, with `bazel test`, and reading the outcome
// from Bazel's own record (the build event file, each grader's test.xml, a failed
// compile's stderr), not from console text. Used by //exercises:progress and
// //exercises:watch.

#ifndef MP_EXERCISES_GRADE_RUNNER_H_
#define MP_EXERCISES_GRADE_RUNNER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "exercises/progress_report.h"

namespace mp::exercises {

// The exercises under <workspace>/exercises (folders with a HINTS.md), in the course's
// order; only those in `wanted` if it is not empty.
std::vector<std::string> ExerciseNames(const std::filesystem::path& workspace,
                                       const std::vector<std::string>& wanted = {});

// Grades `names` in one `<bazel> test --keep_going` invocation run in `workspace`.
std::vector<ExerciseResult> GradeAll(const std::filesystem::path& workspace,
                                     const std::string& bazel,
                                     const std::vector<std::string>& names);

}  // namespace mp::exercises

#endif  // MP_EXERCISES_GRADE_RUNNER_H_
