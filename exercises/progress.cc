// Where a learner stands: grades every exercise's current version and prints a table,
// the next exercise to do and its first hint.
//
//   ./bazelw run //exercises:progress
//   ./bazelw run //exercises:progress -- --format=gradescope   # writes results.json
//
// It runs one `./bazelw test --keep_going` over every exercise's :grade (Bazel caches
// the grades of exercises you have not touched, and an exercise whose code does not
// build does not stop the rest), then reads Bazel's own record of it: the build event
// file for each grade, each grader's test.xml for its words, a failed compile's stderr
// for the compiler's. Exercises are the folders under exercises/ that hold a HINTS.md,
// in the course's order (progress_report.h).

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/cli/parse_flags.h"
#include "exercises/grade_runner.h"
#include "exercises/progress_report.h"

ABSL_FLAG(std::string, format, "table", "table, or gradescope (writes --output)");
ABSL_FLAG(std::string, output, "results.json", "where --format=gradescope writes");
ABSL_FLAG(std::string, workspace, "",
          "the repository (default: where `bazel run` was started from)");
ABSL_FLAG(std::string, bazel, "", "the Bazel command (default: <workspace>/bazelw)");
ABSL_FLAG(std::string, exercises, "", "comma-separated exercise names (default: all)");

namespace mp::exercises {
namespace {

int Main() {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "table" && format != "gradescope") {
    cli::ExitBadUsage("--format must be table or gradescope");
  }
  std::string workspace = absl::GetFlag(FLAGS_workspace);
  if (workspace.empty()) {
    const char* from_bazel = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    if (from_bazel == nullptr) cli::ExitBadUsage("run me with `./bazelw run //exercises:progress`, or pass --workspace");
    workspace = from_bazel;
  }
  std::string bazel = absl::GetFlag(FLAGS_bazel);
  if (bazel.empty()) bazel = workspace + "/bazelw";

  const std::string only = absl::GetFlag(FLAGS_exercises);
  const std::vector<std::string> names = ExerciseNames(
      workspace, only.empty() ? std::vector<std::string>{} : absl::StrSplit(only, ','));
  if (names.empty()) cli::ExitBadUsage(absl::StrCat("no exercises found under ", workspace, "/exercises"));
  const std::vector<ExerciseResult> results = GradeAll(workspace, bazel, names);

  if (format == "gradescope") {
    const std::string path = cli::UserPath(absl::GetFlag(FLAGS_output));
    std::ofstream file(path);
    file << GradescopeJson(results);
    if (!file.good()) {
      std::fprintf(stderr, "progress: cannot write %s\n", path.c_str());
      return 1;
    }
    std::printf("wrote %s\n", path.c_str());
    return 0;
  }
  std::printf("%s", ProgressTable(results).c_str());
  return 0;
}

}  // namespace
}  // namespace mp::exercises

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Grades every exercise and shows where you stand.");
  return mp::exercises::Main();
}
