#include "process/testing/counterfactual.h"

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "process/subprocess.h"

extern char** environ;

namespace mp::test {
namespace {

// Our environment, less what would make the child skip its test (sharding) or write
// over our own report (Bazel's output files), plus the bug.
std::vector<std::string> EnvironmentWithBug(absl::string_view bug) {
  static constexpr absl::string_view kLeftOut[] = {
      "GTEST_OUTPUT=",        "XML_OUTPUT_FILE=",      "TEST_PREMATURE_EXIT_FILE=",
      "GTEST_SHARD_INDEX=",   "GTEST_TOTAL_SHARDS=",   "TEST_SHARD_INDEX=",
      "TEST_TOTAL_SHARDS=",   "TEST_SHARD_STATUS_FILE=", "GTEST_SHARD_STATUS_FILE=",
      "MP_TESTING_PUT_BUG_BACK="};
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const absl::string_view variable(*entry);
    bool left_out = false;
    for (absl::string_view prefix : kLeftOut) left_out |= absl::StartsWith(variable, prefix);
    if (!left_out) environment.emplace_back(variable);
  }
  environment.push_back(absl::StrCat(internal::kPutBugBackVariable, "=", bug));
  return environment;
}

}  // namespace

absl::Status FailsWithBugPutBack(absl::string_view test_name, absl::string_view bug,
                                 absl::Duration bound) {
  Command command;
  command.argv = {"/proc/self/exe", absl::StrCat("--gtest_filter=", test_name),
                  "--gtest_brief=0", "--gtest_color=no"};
  command.environment = EnvironmentWithBug(bug);
  command.standard_output = Redirect::Pipe();
  command.standard_error = Redirect::ToStdout();
  absl::StatusOr<CompletedProgram> run = RunProgram(command, bound);
  if (!run.ok()) {
    return absl::Status(run.status().code(),
                        absl::StrCat(test_name, " with ", bug, " put back: ",
                                     run.status().message(),
                                     " (a bug that makes a test wait for ever should make "
                                     "it fail soon instead: see BoundOnWaits())"));
  }
  const std::string& output = run->stdout_text;
  const std::string said = absl::StrCat("\n--- its output ---\n", output);
  if (!absl::StrContains(output, absl::StrCat("[ RUN      ] ", test_name))) {
    return absl::NotFoundError(
        absl::StrCat(test_name, " did not run: is the name right?", said));
  }
  if (run->exit_code == 0 || absl::StrContains(output, absl::StrCat("[       OK ] ", test_name))) {
    return absl::FailedPreconditionError(absl::StrCat(
        test_name, " passed with ", bug, " put back: it cannot show that bug", said));
  }
  return absl::OkStatus();
}

}  // namespace mp::test
