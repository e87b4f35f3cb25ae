#include "process/testing/counterfactual.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/unique_fd.h"
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
      "TEST_TOTAL_SHARDS=",   "TEST_SHARD_STATUS_FILE=", "GTEST_SHARD_STATUS_FILE="};
  const std::string bugs_already_put_back = absl::StrCat(internal::kPutBugBackVariable, "=");
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const absl::string_view variable(*entry);
    bool left_out = absl::StartsWith(variable, bugs_already_put_back);
    for (absl::string_view prefix : kLeftOut) left_out |= absl::StartsWith(variable, prefix);
    if (!left_out) environment.emplace_back(variable);
  }
  environment.push_back(absl::StrCat(internal::kPutBugBackVariable, "=", bug));
  return environment;
}

}  // namespace

absl::Status FailsWithBugPutBack(absl::string_view test_name, absl::string_view bug,
                                 absl::Duration bound) {
  // Its output goes to a memory file, not a pipe: what a bug leaves behind may hold its
  // copy of the stream open after the test has ended.
  internal::UniqueFd output(
      static_cast<int>(::memfd_create("counterfactual-output", MFD_CLOEXEC)));
  if (!output.valid()) return absl::ErrnoToStatus(errno, "memfd_create");
  Command command;
  command.argv = {"/proc/self/exe", absl::StrCat("--gtest_filter=", test_name),
                  "--gtest_brief=0", "--gtest_color=no"};
  command.environment = EnvironmentWithBug(bug);
  command.standard_output = Redirect::Descriptor(output.get());
  command.standard_error = Redirect::ToStdout();
  // In a process group of its own: a bug may leave processes behind (a worker that
  // outlives its pool), and they go with it.
  command.new_session = true;
  absl::StatusOr<Subprocess> child = Subprocess::Start(command);
  if (!child.ok()) return child.status();
  const pid_t group = child->pid();
  absl::StatusOr<int> exit_code = child->Wait(bound);
  ::kill(-group, SIGKILL);
  if (!exit_code.ok()) {
    return absl::Status(exit_code.status().code(),
                        absl::StrCat(test_name, " with ", bug, " put back: ",
                                     exit_code.status().message(),
                                     " (a bug that makes a test wait for ever should make "
                                     "it fail soon instead: see BoundOnWaits())"));
  }
  // The child wrote through a copy of our descriptor, which shares its offset: rewind.
  if (::lseek(output.get(), 0, SEEK_SET) != 0) return absl::ErrnoToStatus(errno, "lseek");
  absl::StatusOr<std::string> read = internal::ReadAll(output.get());
  if (!read.ok()) return read.status();
  const std::string& text = *read;
  const std::string said = absl::StrCat("\n--- its output ---\n", text);
  if (!absl::StrContains(text, absl::StrCat("[ RUN      ] ", test_name))) {
    return absl::NotFoundError(
        absl::StrCat(test_name, " did not run: is the name right?", said));
  }
  if (*exit_code == 0 || absl::StrContains(text, absl::StrCat("[       OK ] ", test_name))) {
    return absl::FailedPreconditionError(absl::StrCat(
        test_name, " passed with ", bug, " put back: it cannot show that bug", said));
  }
  // A crash shows nothing about the test's checks: it may come from anywhere (a missing
  // runfile, a bug that breaks something else first). One of its checks must fail.
  if (!absl::StrContains(text, absl::StrCat("[  FAILED  ] ", test_name))) {
    return absl::AbortedError(absl::StrCat(test_name, " with ", bug,
                                           " put back ended (exit code ", *exit_code,
                                           ") before any of its checks failed", said));
  }
  return absl::OkStatus();
}

}  // namespace mp::test
