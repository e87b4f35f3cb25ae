// What //exercises:progress shows: one row per exercise (done or not yet), the next one
// to do with its first hint, or the same as a Gradescope results.json.

#ifndef MP_EXERCISES_PROGRESS_REPORT_H_
#define MP_EXERCISES_PROGRESS_REPORT_H_

#include <map>
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

// The order in which the course takes the exercises (processes, then pools, then
// communication, then speed); "next" is the first not done in this order. Exercises not
// listed come after, by name.
const std::vector<std::string>& CourseOrder();

// `names` sorted into CourseOrder().
std::vector<std::string> InCourseOrder(std::vector<std::string> names);

// What one `bazel test --build_event_json_file=F` said (Bazel's build event protocol,
// one JSON object a line), by test label ("//exercises/q1_pool_map:grade").
struct BuildEvents {
  std::map<std::string, std::string> test_status;  // "PASSED", "FAILED", "TIMEOUT", ...
  std::map<std::string, std::string> test_xml;     // the test.xml's path
  std::map<std::string, std::string> build_stderr;  // package "//exercises/q1_pool_map" ->
                                                    // a failed compile's stderr path
};
BuildEvents ParseBuildEvents(absl::string_view json_lines);

// The failure messages of a gtest test.xml (the grader's words), unescaped, one after
// another.
std::string FailuresFromTestXml(absl::string_view xml);

// A Markdown table, then the next exercise not yet done and its first hint (or a
// congratulation when all are done).
std::string ProgressTable(const std::vector<ExerciseResult>& results);

// Gradescope's results.json: one test per exercise, 1 point each.
std::string GradescopeJson(const std::vector<ExerciseResult>& results);

}  // namespace mp::exercises

#endif  // MP_EXERCISES_PROGRESS_REPORT_H_
