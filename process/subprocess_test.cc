#include "process/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "base/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/testing/leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;

constexpr absl::Duration kGenerous = absl::Seconds(30);

Command Shell(const std::string& script) {
  Command command;
  command.argv = {"/bin/sh", "-c", script};
  command.standard_output = Redirect::Pipe();
  return command;
}

std::string TempPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class SubprocessTest : public test::LeakCheckedTest {};

TEST_F(SubprocessTest, CapturesStdoutAndFindsTheProgramInPath) {
  Command command;
  command.argv = {"echo", "hello", "world"};
  command.standard_output = Redirect::Pipe();
  absl::StatusOr<CompletedProgram> done = RunProgram(command, kGenerous);
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_EQ(done->stdout_text, "hello world\n");
}

TEST_F(SubprocessTest, ExitStatusAndSignalsAreDecoded) {
  absl::StatusOr<CompletedProgram> exited = RunProgram(Shell("exit 3"), kGenerous);
  ASSERT_THAT(exited, IsOk());
  EXPECT_EQ(exited->exit_code, 3);
  absl::StatusOr<CompletedProgram> killed = RunProgram(Shell("kill -TERM $$"), kGenerous);
  ASSERT_THAT(killed, IsOk());
  EXPECT_EQ(killed->exit_code, -SIGTERM);
}

TEST_F(SubprocessTest, MegabytesThroughStdinAndStdoutDoNotDeadlock) {
  // cat writes back while we are still writing: far more than a pipe buffer each way.
  const std::string input(4 << 20, 'x');
  Command command;
  command.argv = {"cat"};
  command.standard_input = Redirect::Pipe();
  command.standard_output = Redirect::Pipe();
  absl::StatusOr<CompletedProgram> done = RunProgram(command, kGenerous, input);
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->stdout_text.size(), input.size());
  EXPECT_EQ(done->stdout_text, input);
}

TEST_F(SubprocessTest, StderrIsCapturedSeparatelyOrMergedIntoStdout) {
  Command separate = Shell("echo out; echo err >&2");
  separate.standard_error = Redirect::Pipe();
  absl::StatusOr<CompletedProgram> apart = RunProgram(separate, kGenerous);
  ASSERT_THAT(apart, IsOk());
  EXPECT_EQ(apart->stdout_text, "out\n");
  EXPECT_EQ(apart->stderr_text, "err\n");

  Command merged = Shell("echo out; echo err >&2");
  merged.standard_error = Redirect::ToStdout();
  absl::StatusOr<CompletedProgram> together = RunProgram(merged, kGenerous);
  ASSERT_THAT(together, IsOk());
  EXPECT_EQ(together->stdout_text, "out\nerr\n");
}

TEST_F(SubprocessTest, StreamsRedirectToAndFromFiles) {
  const std::string input = TempPath("input.txt");
  const std::string output = TempPath("output.txt");
  std::ofstream(input) << "b\na\n";
  Command command;
  command.argv = {"sort"};
  command.standard_input = Redirect::File(input);
  command.standard_output = Redirect::File(output);
  command.standard_error = Redirect::Null();
  absl::StatusOr<CompletedProgram> done = RunProgram(command, kGenerous);
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_EQ(ReadFile(output), "a\nb\n");
}

TEST_F(SubprocessTest, AStreamCanBeADescriptorOfOursWhichWeKeep) {
  int sockets[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets), 0);
  internal::UniqueFd ours(sockets[0]);
  internal::UniqueFd theirs(sockets[1]);
  Command command = Shell("echo through the socket");
  command.standard_output = Redirect::Descriptor(theirs.get());
  absl::StatusOr<CompletedProgram> done = RunProgram(command, kGenerous);
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_GE(::fcntl(theirs.get(), F_GETFD), 0) << "the caller's descriptor was closed";
  theirs.Reset();  // now only the program's copy could hold the socket open, and it ended
  char text[64] = {};
  EXPECT_EQ(::read(ours.get(), text, sizeof text - 1), 19);
  EXPECT_STREQ(text, "through the socket\n");
}

TEST_F(SubprocessTest, AClosedDescriptorIsReportedByNumber) {
  Command command;
  command.argv = {"true"};
  command.standard_output = Redirect::Descriptor(1000);
  EXPECT_THAT(Subprocess::Start(command),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("descriptor 1000")));
}

TEST_F(SubprocessTest, EnvironmentAndWorkingDirectoryAreThoseGiven) {
  Command command = Shell("echo \"$GREETING\"; pwd");
  command.environment = std::vector<std::string>{"GREETING=hi"};
  command.working_directory = "/";
  absl::StatusOr<CompletedProgram> done = RunProgram(command, kGenerous);
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->stdout_text, "hi\n/\n");
}

TEST_F(SubprocessTest, ProgramGetsOnlyItsThreeStandardStreams) {
  // Descriptors without close-on-exec, as careless code might leave open.
  internal::UniqueFd careless(::open("/dev/null", O_RDONLY));
  ASSERT_TRUE(careless.valid());
  absl::StatusOr<CompletedProgram> done = RunProgram(Shell("ls /proc/$$/fd"), kGenerous);
  ASSERT_THAT(done, IsOk());
  EXPECT_EQ(done->stdout_text, "0\n1\n2\n");
}

TEST_F(SubprocessTest, WaitWithTimeoutLeavesTheProgramRunning) {
  Command command;
  command.argv = {"cat"};
  command.standard_input = Redirect::Pipe();
  command.standard_output = Redirect::Null();
  absl::StatusOr<Subprocess> cat = Subprocess::Start(command);
  ASSERT_THAT(cat, IsOk());
  // cat reads until end of file, which cannot come while we hold its stdin open.
  EXPECT_THAT(cat->Wait(absl::Milliseconds(20)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  cat->CloseStdin();
  absl::StatusOr<int> exit_code = cat->Wait(kGenerous);
  ASSERT_THAT(exit_code, IsOk());
  EXPECT_EQ(*exit_code, 0);
}

TEST_F(SubprocessTest, DestroyingARunningSubprocessKillsAndReapsIt) {
  Command command;
  command.argv = {"cat"};
  command.standard_input = Redirect::Pipe();
  pid_t pid = 0;
  {
    absl::StatusOr<Subprocess> cat = Subprocess::Start(command);
    ASSERT_THAT(cat, IsOk());
    pid = cat->pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);  // TearDown also checks for zombies
}

TEST_F(SubprocessTest, TerminateEndsTheProgramWithSigterm) {
  Command command;
  command.argv = {"cat"};
  command.standard_input = Redirect::Pipe();
  absl::StatusOr<Subprocess> cat = Subprocess::Start(command);
  ASSERT_THAT(cat, IsOk());
  ASSERT_THAT(cat->Terminate(), IsOk());
  EXPECT_EQ(cat->Wait(kGenerous).value_or(0), -SIGTERM);
}

// ---- Bad input.

TEST_F(SubprocessTest, EmptyArgvIsInvalid) {
  EXPECT_THAT(Subprocess::Start(Command{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("argv")));
}

TEST_F(SubprocessTest, MissingProgramIsNotFoundAndNamesIt) {
  Command by_path;
  by_path.argv = {"/nonexistent/program"};
  EXPECT_THAT(Subprocess::Start(by_path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/program")));
  Command by_name;
  by_name.argv = {"no-such-program-anywhere"};
  EXPECT_THAT(Subprocess::Start(by_name),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no-such-program-anywhere")));
}

TEST_F(SubprocessTest, NonExecutableFileIsPermissionDenied) {
  const std::string path = TempPath("not-executable.sh");
  std::ofstream(path) << "#!/bin/sh\necho hi\n";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  Command command;
  command.argv = {path};
  EXPECT_THAT(Subprocess::Start(command),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(path)));
}

TEST_F(SubprocessTest, MissingInputFileOrDirectoryIsReportedByName) {
  Command command;
  command.argv = {"cat"};
  command.standard_input = Redirect::File("/nonexistent/input");
  EXPECT_THAT(Subprocess::Start(command),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/input")));
  Command elsewhere;
  elsewhere.argv = {"pwd"};
  elsewhere.working_directory = "/nonexistent/directory";
  EXPECT_THAT(Subprocess::Start(elsewhere),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/directory")));
}

TEST_F(SubprocessTest, NegativeTimeoutIsInvalid) {
  Command command;
  command.argv = {"true"};
  absl::StatusOr<Subprocess> program = Subprocess::Start(command);
  ASSERT_THAT(program, IsOk());
  EXPECT_THAT(program->Wait(absl::Seconds(-1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative")));
  EXPECT_THAT(program->Wait(kGenerous), IsOk());
}

TEST_F(SubprocessTest, RunProgramKillsAProgramThatOverrunsItsTimeout) {
  Command command;
  command.argv = {"sleep", "1000"};  // ends long after the test has
  EXPECT_THAT(RunProgram(command, absl::Milliseconds(20)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  // TearDown checks that it was killed and reaped.
}

}  // namespace
}  // namespace mp
