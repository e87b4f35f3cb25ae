// What //exercises:progress shows: one row per exercise (done or not yet), the next one
// to do with its first hint, or the same as a Gradescope results.json.

#ifndef MP_EXERCISES_PROGRESS_REPORT_H_
#define MP_EXERCISES_PROGRESS_REPORT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mp::exercises {

enum class Grade { kPassed, kFailed, kDoesNotBuild, kNotRun };

struct ExerciseResult {
  std::string name = {};        // "q6_print_numbers"
  std::string title = {};       // from README.md's first heading
  std::string first_hint = {};  // hint 1 of HINTS.md
  Grade grade = Grade::kNotRun;
  std::string output = {};      // what the grader (or the build) said, for Gradescope
};

// "Exercise Q6: N processes each print a different number" from "# Exercise Q6: ...".
std::string TitleFrom(absl::string_view readme);

// The text of the first numbered hint ("1. ..." up to the next "2."), on one line.
std::string FirstHintFrom(absl::string_view hints);

// What a learner needs from `bazel test`'s output: the grader's own words (between
// Bazel's "Test output for" banner and its closing line), or, when the build failed, the
// compiler's error lines. Falls back to the whole output.
std::string GraderWords(absl::string_view bazel_output);

// A Markdown table, then the next exercise not yet done and its first hint (or a
// congratulation when all are done).
std::string ProgressTable(const std::vector<ExerciseResult>& results);

// Gradescope's results.json: one test per exercise, 1 point each.
std::string GradescopeJson(const std::vector<ExerciseResult>& results);

}  // namespace mp::exercises

#endif  // MP_EXERCISES_PROGRESS_REPORT_H_
