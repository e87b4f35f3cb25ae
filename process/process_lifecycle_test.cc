// Claims about a Process as seen from outside its parent: a daemon child dies with
// its parent even when the parent is SIGKILLed, and buffered output printed before
// a fork is written once. Each runs process_test_program in a child of the test.

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "base/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/testing/leak_check.h"
#include "process/testing/spawned_program.h"

namespace mp {
namespace {

using ::mp::test::IsOk;

constexpr char kProgram[] = "process/process_test_program";

// Whether the process behind `pidfd` ends within `timeout`.
bool EndsWithin(const internal::UniqueFd& pidfd, absl::Duration timeout) {
  absl::StatusOr<bool> ended = internal::WaitReadable(pidfd.get(), absl::Now() + timeout);
  return ended.ok() && *ended;
}

struct Orphan {
  internal::UniqueFd pidfd;  // of the grandchild, which is not our child
};

// Runs the daemon scenario, SIGKILLs the program, and returns its child.
Orphan KillParentOfChild(const std::string& start_method, bool daemon) {
  absl::StatusOr<test::SpawnedProgram> program = test::SpawnedProgram::Start(
      test::Runfile(kProgram),
      {"--scenario=daemon", "--start_method=" + start_method,
       daemon ? "--daemon" : "--nodaemon"});
  EXPECT_THAT(program, IsOk());
  if (!program.ok()) return {};
  absl::StatusOr<std::string> line = program->ReadLine(absl::Seconds(30));
  EXPECT_THAT(line, IsOk());
  int child_pid = 0;
  EXPECT_TRUE(line.ok() && absl::SimpleAtoi(*line, &child_pid)) << line.status();
  // The child is alive now (its parent waits on stdin), so the pidfd names it.
  Orphan orphan{internal::UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, child_pid, 0)))};
  EXPECT_TRUE(orphan.pidfd.valid());
  ::kill(program->pid(), SIGKILL);
  EXPECT_EQ(program->Wait(absl::Seconds(30)).value_or(0), -SIGKILL);
  return orphan;
}

class DaemonTest : public test::LeakCheckedTest,
                   public ::testing::WithParamInterface<const char*> {};

INSTANTIATE_TEST_SUITE_P(AllStartMethods, DaemonTest,
                         ::testing::Values("fork", "spawn", "forkserver"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

TEST_P(DaemonTest, DaemonChildDiesWhenItsParentIsKilled) {
  Orphan child = KillParentOfChild(GetParam(), /*daemon=*/true);
  ASSERT_TRUE(child.pidfd.valid());
  EXPECT_TRUE(EndsWithin(child.pidfd, absl::Seconds(30)));
}

TEST_P(DaemonTest, NonDaemonChildOutlivesItsKilledParent) {
  // The control for the test above: without daemon, nothing kills the child.
  Orphan child = KillParentOfChild(GetParam(), /*daemon=*/false);
  ASSERT_TRUE(child.pidfd.valid());
  EXPECT_FALSE(EndsWithin(child.pidfd, absl::ZeroDuration()));
  ASSERT_EQ(::syscall(SYS_pidfd_send_signal, child.pidfd.get(), SIGKILL, nullptr, 0), 0);
  EXPECT_TRUE(EndsWithin(child.pidfd, absl::Seconds(30)));
}

class StdioTest : public test::LeakCheckedTest {};

TEST_F(StdioTest, OutputBufferedBeforeForkIsWrittenOnce) {
  // stdout is a pipe here, so stdio buffers whole blocks, and fork() would copy a
  // pending "parent before fork" into the child, which would write it again.
  absl::StatusOr<test::ProgramOutput> output =
      test::RunProgram(test::Runfile(kProgram), {"--scenario=stdio"}, absl::Seconds(30));
  ASSERT_THAT(output, IsOk());
  EXPECT_EQ(output->exit_code, 0);
  EXPECT_EQ(output->stdout_text, "parent before fork\nchild\nparent after join\n");
}

}  // namespace
}  // namespace mp
