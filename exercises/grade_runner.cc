#include "exercises/grade_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "process/subprocess.h"

namespace mp::exercises {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

std::vector<std::string> ExerciseNames(const std::filesystem::path& workspace,
                                       const std::vector<std::string>& wanted) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(workspace / "exercises", error)) {
    const std::string name = entry.path().filename().string();
    if (!std::filesystem::exists(entry.path() / "HINTS.md")) continue;
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
    names.push_back(name);
  }
  return InCourseOrder(std::move(names));
}

std::vector<ExerciseResult> GradeAll(const std::filesystem::path& workspace,
                                     const std::string& bazel,
                                     const std::vector<std::string>& names) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path events_file =
      std::filesystem::path(tmp != nullptr ? tmp : "/tmp") /
      absl::StrCat("mp_progress_events_", getpid(), ".json");
  Command command;
  command.argv = {bazel, "test", "--keep_going", "--color=no", "--curses=no",
                  absl::StrCat("--build_event_json_file=", events_file.string())};
  for (const std::string& name : names) {
    command.argv.push_back(absl::StrCat("//exercises/", name, ":grade"));
  }
  command.working_directory = workspace.string();
  command.standard_output = Redirect::Pipe();
  command.standard_error = Redirect::ToStdout();
  std::fprintf(stderr, "grading %zu exercises ...\n", names.size());
  absl::StatusOr<CompletedProgram> done = RunProgram(command, absl::Minutes(30));
  const BuildEvents events = ParseBuildEvents(ReadFile(events_file));
  std::filesystem::remove(events_file);

  std::vector<ExerciseResult> results;
  for (const std::string& name : names) {
    const std::filesystem::path folder = workspace / "exercises" / name;
    ExerciseResult result{.name = name,
                          .title = TitleFrom(ReadFile(folder / "README.md")),
                          .first_hint = FirstHintFrom(ReadFile(folder / "HINTS.md"))};
    const std::string package = absl::StrCat("//exercises/", name);
    const std::string label = package + ":grade";
    auto status = events.test_status.find(label);
    auto compile = events.build_stderr.find(package);
    if (status != events.test_status.end()) {
      result.grade = status->second == "PASSED" ? Grade::kPassed : Grade::kFailed;
      auto xml = events.test_xml.find(label);
      result.output = xml != events.test_xml.end() ? FailuresFromTestXml(ReadFile(xml->second)) : "";
      if (status->second == "TIMEOUT") result.output = "The grader ran past Bazel's time limit.";
    } else if (compile != events.build_stderr.end()) {
      result.grade = Grade::kDoesNotBuild;
      result.output = GraderWords(ReadFile(compile->second));
    } else {
      result.output = done.ok() ? GraderWords(done->stdout_text) : std::string(done.status().message());
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace mp::exercises
