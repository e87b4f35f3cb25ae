// Where a learner stands: grades every exercise's current version and prints a table,
// the next exercise to do and its first hint.
//
//   ./bazelw run //exercises:progress
//   ./bazelw run //exercises:progress -- --format=gradescope   # writes results.json
//
// It runs `./bazelw test //exercises/<name>:grade` for each exercise (Bazel caches the
// grades of exercises you have not touched), so an exercise whose code does not build is
// reported as such instead of stopping the rest. Exercises are the folders under
// exercises/ that hold a HINTS.md, in name order.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "exercises/progress_report.h"
#include "process/cli/parse_flags.h"
#include "process/subprocess.h"

ABSL_FLAG(std::string, format, "table", "table, or gradescope (writes --output)");
ABSL_FLAG(std::string, output, "results.json", "where --format=gradescope writes");
ABSL_FLAG(std::string, workspace, "",
          "the repository (default: where `bazel run` was started from)");
ABSL_FLAG(std::string, bazel, "", "the Bazel command (default: <workspace>/bazelw)");
ABSL_FLAG(std::string, exercises, "", "comma-separated exercise names (default: all)");

namespace mp::exercises {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> ExerciseNames(const std::filesystem::path& workspace) {
  std::vector<std::string> names;
  const std::string only = absl::GetFlag(FLAGS_exercises);
  const std::vector<std::string> wanted =
      only.empty() ? std::vector<std::string>{} : absl::StrSplit(only, ',');
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(workspace / "exercises", error)) {
    const std::string name = entry.path().filename().string();
    if (!std::filesystem::exists(entry.path() / "HINTS.md")) continue;
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

ExerciseResult Grade(const std::filesystem::path& workspace, const std::string& bazel,
                     const std::string& name) {
  const std::filesystem::path folder = workspace / "exercises" / name;
  ExerciseResult result{.name = name,
                        .title = TitleFrom(ReadFile(folder / "README.md")),
                        .first_hint = FirstHintFrom(ReadFile(folder / "HINTS.md"))};
  std::fprintf(stderr, "grading %s ...\n", name.c_str());
  Command command;
  command.argv = {bazel, "test", absl::StrCat("//exercises/", name, ":grade"),
                  "--test_output=errors", "--color=no", "--curses=no"};
  command.working_directory = workspace.string();
  command.standard_output = Redirect::Pipe();
  command.standard_error = Redirect::ToStdout();
  absl::StatusOr<CompletedProgram> done = RunProgram(command, absl::Minutes(15));
  if (!done.ok()) {
    result.output = std::string(done.status().message());
    return result;
  }
  result.output = GraderWords(done->stdout_text);
  // Bazel's exit codes: 0 all tests passed, 3 a test failed, 1 the build failed.
  result.grade = done->exit_code == 0   ? Grade::kPassed
                 : done->exit_code == 3 ? Grade::kFailed
                 : done->exit_code == 1 ? Grade::kDoesNotBuild
                                        : Grade::kNotRun;
  return result;
}

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

  const std::vector<std::string> names = ExerciseNames(workspace);
  if (names.empty()) cli::ExitBadUsage(absl::StrCat("no exercises found under ", workspace, "/exercises"));
  std::vector<ExerciseResult> results;
  for (const std::string& name : names) results.push_back(Grade(workspace, bazel, name));

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
