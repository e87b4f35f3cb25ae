#include "process/testing/spawned_program.h"

#include <dirent.h>
#include <sys/wait.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace mp::test {
namespace {

constexpr absl::Duration kGenerous = absl::Seconds(30);

int OpenDescriptorCount() {
  int count = 0;
  DIR* dir = opendir("/proc/self/fd");
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count;
}

// True when this process has no child left, running or zombie.
bool NoChildrenLeft() { return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

// Passes when a program's stdout is captured whole and its exit status 0 reported.
TEST(SpawnedProgramTest, CapturesStdoutAndExitStatus) {
  const int descriptors_before = OpenDescriptorCount();
  absl::StatusOr<ProgramOutput> output = RunProgram("/bin/echo", {"hello", "world"}, kGenerous);
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->stdout_text, "hello world\n");
  EXPECT_EQ(output->exit_code, 0);
  EXPECT_EQ(OpenDescriptorCount(), descriptors_before);
  EXPECT_TRUE(NoChildrenLeft());
}

// Passes when exit statuses come back as numbers and deaths by signal as minus the signal.
TEST(SpawnedProgramTest, ReportsExitStatusesAndSignalsLikePython) {
  absl::StatusOr<ProgramOutput> exited = RunProgram("/bin/sh", {"-c", "exit 3"}, kGenerous);
  ASSERT_TRUE(exited.ok()) << exited.status();
  EXPECT_EQ(exited->exit_code, 3);

  absl::StatusOr<ProgramOutput> killed = RunProgram("/bin/sh", {"-c", "kill -KILL $$"}, kGenerous);
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_EQ(killed->exit_code, -SIGKILL);
  EXPECT_TRUE(NoChildrenLeft());
}

// Passes when lines arrive one at a time and end of file is OutOfRange.
TEST(SpawnedProgramTest, ReadsLineByLineUntilEndOfFile) {
  absl::StatusOr<SpawnedProgram> program =
      SpawnedProgram::Start("/bin/sh", {"-c", "echo one; echo two"});
  ASSERT_TRUE(program.ok()) << program.status();
  EXPECT_EQ(program->ReadLine(kGenerous).value_or("?"), "one");
  EXPECT_EQ(program->ReadLine(kGenerous).value_or("?"), "two");
  EXPECT_EQ(program->ReadLine(kGenerous).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(program->Wait(kGenerous).value_or(-1), 0);
}

// Passes when a child that reads stdin ends once we close it.
TEST(SpawnedProgramTest, ClosingStdinLetsAReaderFinish) {
  absl::StatusOr<SpawnedProgram> program = SpawnedProgram::Start("/bin/cat", {});
  ASSERT_TRUE(program.ok()) << program.status();
  program->CloseStdin();
  EXPECT_EQ(program->ReadAll(kGenerous).value_or("?"), "");
  EXPECT_EQ(program->Wait(kGenerous).value_or(-1), 0);
}

// Passes when a program that outlives its deadline is reported, then killed and reaped.
TEST(SpawnedProgramTest, AProgramPastItsDeadlineIsKilledAndReaped) {
  absl::StatusOr<ProgramOutput> output =
      RunProgram("/bin/sleep", {"600"}, absl::Milliseconds(50));
  EXPECT_EQ(output.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(NoChildrenLeft());
}

// Passes when a missing program is NotFound, naming the path, and nothing is started.
TEST(SpawnedProgramTest, AMissingProgramIsNotFound) {
  absl::StatusOr<SpawnedProgram> program = SpawnedProgram::Start("/no/such/program", {});
  EXPECT_EQ(program.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(program.status().message().find("/no/such/program"), absl::string_view::npos);
  EXPECT_TRUE(NoChildrenLeft());
}

}  // namespace
}  // namespace mp::test
