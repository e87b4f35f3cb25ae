#include <string>
#include <vector>

#include <cstdlib>

#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "gtest/gtest.h"
#include "process/testing/spawned_program.h"

namespace {

// Runs parse_flags_test_program with `args`; returns its exit code (-1000 if it failed
// to run at all, which no real exit code is).
int ExitCodeOf(const std::vector<std::string>& args, std::string* stdout_text = nullptr) {
  absl::StatusOr<mp::test::ProgramOutput> output = mp::test::RunProgram(
      mp::test::Runfile("base/cli/parse_flags_test_program"), args, absl::Seconds(30));
  EXPECT_TRUE(output.ok()) << output.status();
  if (!output.ok()) return -1000;
  if (stdout_text != nullptr) *stdout_text = output->stdout_text;
  return output->exit_code;
}

TEST(ParseFlagsTest, GoodFlagsRunTheProgram) {
  std::string text;
  EXPECT_EQ(ExitCodeOf({"--count=2"}, &text), 0);
  EXPECT_EQ(text, "hello\nhello\n");
}

TEST(ParseFlagsTest, HelpPrintsTheUsageAndExitsZero) {
  std::string text;  // a pipe, as when help is piped into less
  EXPECT_EQ(ExitCodeOf({"--help"}, &text), 0);
  EXPECT_NE(text.find("Prints 'hello' --count times."), std::string::npos) << text;
  EXPECT_NE(text.find("--count"), std::string::npos) << text;
}

TEST(ParseFlagsTest, AnUnknownFlagExitsTwo) { EXPECT_EQ(ExitCodeOf({"--no_such_flag"}), 2); }

TEST(ParseFlagsTest, AValueThatDoesNotParseExitsTwo) {
  EXPECT_EQ(ExitCodeOf({"--count=many"}), 2);
}

TEST(ParseFlagsTest, AStrayPositionalArgumentExitsTwo) { EXPECT_EQ(ExitCodeOf({"oops"}), 2); }

TEST(ParseFlagsTest, AValueTheProgramRejectsExitsTwo) { EXPECT_EQ(ExitCodeOf({"--count=0"}), 2); }

TEST(UserPathTest, RelativePathsAreRelativeToWhereBazelRunWasTyped) {
  ::setenv("BUILD_WORKING_DIRECTORY", "/home/learner/course", 1);
  EXPECT_EQ(mp::cli::UserPath("out/report.json"), "/home/learner/course/out/report.json");
  EXPECT_EQ(mp::cli::UserPath("/tmp/report.json"), "/tmp/report.json");
  EXPECT_EQ(mp::cli::UserPath(""), "");
  ::unsetenv("BUILD_WORKING_DIRECTORY");
  EXPECT_EQ(mp::cli::UserPath("out/report.json"), "out/report.json");
}

}  // namespace
