// Interrupting lesson 10's demo with Ctrl-C while one of its hosts is stopped (SIGSTOP)
// leaves nothing behind: no process of its job, stopped or running, and no shared memory.
//
// A stopped process acts on no signal but SIGKILL and SIGCONT, so a stopped host cannot
// see the Ctrl-C, nor its parent's death, nor its stdin's end. The host asks the kernel
// for SIGCONT when its parent dies (pool/remote/worker_main.cc); this test shows that is
// enough.
//
// The demo runs in a session of its own, as a job whose parent (a terminal's shell, a
// tour that was interrupted first) is gone or elsewhere. Inside one session the kernel
// would rescue the stopped host itself (a process group left without a parent in the
// session gets SIGHUP and SIGCONT), which would hide a missing fix.

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/shared_memory.h"
#include "process/testing/leak_check.h"
#include "process/testing/spawned_program.h"
#include "process/testing/status_matchers.h"

namespace mp::concepts {
namespace {

using ::mp::test::IsOk;

// Far more than any step needs, and less than the test's own time limit, so that a
// process that never ends fails the test with a message instead of timing it out.
constexpr absl::Duration kGenerous = absl::Minutes(2);

// Passes when SIGINT to the demo's process group, sent while a host is stopped, ends
// every process of the group and frees all their shared memory.
TEST(InterruptedDemoTest, CtrlCWhileAHostIsStoppedLeavesNothingBehind) {
  absl::StatusOr<test::SpawnedProgram> demo = test::SpawnedProgram::Start(
      test::Runfile("concepts/10_going_distributed/demo"), {"--quick"},
      /*new_session=*/true);
  ASSERT_THAT(demo, IsOk());
  const pid_t group = demo->pid();
  while (true) {
    absl::StatusOr<std::string> line = demo->ReadLine(kGenerous);
    ASSERT_THAT(line, IsOk()) << "the demo ended before it stopped a host";
    if (absl::EndsWith(*line, " is stopped")) break;
  }
  const std::vector<pid_t> members = test::LiveMembersOfGroup(group);
  ASSERT_GE(members.size(), 4u) << "the demo, its hosts, their workers";
  std::vector<int> pidfds;  // readable once the process has ended, whoever's child it is
  for (pid_t member : members) {
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, member, 0));
    if (pidfd >= 0) pidfds.push_back(pidfd);
  }
  int stopped = 0;
  for (pid_t member : members) stopped += test::ProcessState(member) == 'T' ? 1 : 0;
  EXPECT_GE(stopped, 1) << "a host is stopped when the demo says so";

  ASSERT_EQ(kill(-group, SIGINT), 0);
  ASSERT_THAT(demo->Wait(kGenerous), IsOk()) << "the demo did not end";
  for (int pidfd : pidfds) {
    pollfd ended = {.fd = pidfd, .events = POLLIN, .revents = 0};
    EXPECT_EQ(poll(&ended, 1, static_cast<int>(absl::ToInt64Milliseconds(kGenerous))), 1)
        << "a process of the interrupted demo lived on";
    close(pidfd);
  }
  EXPECT_EQ(test::LiveMembersOfGroup(group), std::vector<pid_t>{});
  for (pid_t member : members) {
    EXPECT_EQ(ProcessesHoldingSegmentsOf(member), std::vector<pid_t>{}) << member;
  }
  kill(-group, SIGKILL);  // if this failed: leave nothing for the next test

}

}  // namespace
}  // namespace mp::concepts
