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

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/shared_memory.h"
#include "process/testing/counterfactual.h"
#include "process/testing/leak_check.h"
#include "process/testing/spawned_program.h"

namespace mp::concepts {
namespace {

using ::mp::test::IsOk;

// Far more than any step needs, and less than the test's own time limit, so that a
// process that never ends fails the test with a message instead of timing it out.
constexpr absl::Duration kGenerous = absl::Minutes(2);

// Returns once `pid` has ended (a zombie counts), or at `deadline`.
void WaitUntilEnded(pid_t pid, absl::Time deadline) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return;  // already gone
  pollfd ended = {.fd = pidfd, .events = POLLIN, .revents = 0};
  (void)poll(&ended, 1, static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()))));
  close(pidfd);
}

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
  int stopped = 0;
  for (pid_t member : members) stopped += test::ProcessState(member) == 'T' ? 1 : 0;
  EXPECT_GE(stopped, 1) << "a host is stopped when the demo says so";

  ASSERT_EQ(kill(-group, SIGINT), 0);
  ASSERT_THAT(demo->Wait(kGenerous), IsOk()) << "the demo did not end";
  // Processes may still start after the Ctrl-C (a pool replacing a worker that died of
  // it): wait for everyone in the group, again, until nobody is left or the time is up.
  // (Bounded: a host that did not ask for SIGCONT stays stopped for ever.)
  const absl::Time deadline = absl::Now() + internal::BoundOnWaits(kGenerous);
  std::vector<pid_t> left = test::LiveMembersOfGroup(group);
  while (!left.empty() && absl::Now() < deadline) {
    for (pid_t member : left) WaitUntilEnded(member, deadline);
    left = test::LiveMembersOfGroup(group);
  }
  EXPECT_EQ(left, std::vector<pid_t>{}) << "processes of the interrupted demo lived on";
  for (pid_t member : members) {
    EXPECT_EQ(ProcessesHoldingSegmentsOf(member), std::vector<pid_t>{}) << member;
  }
  kill(-group, SIGKILL);  // if this failed: leave nothing for the next test
}

// Claim 9, counterfactual: a host that does not ask for SIGCONT on its parent's death
// (base/put_bug_back.h) stays stopped when the demo ends, and outlives it.
TEST(InterruptedDemoTest, AHostWithoutSigcontOnItsParentsDeathFailsClaim9) {
  EXPECT_THAT(test::FailsWithBugPutBack("InterruptedDemoTest.CtrlCWhileAHostIsStoppedLeavesNothingBehind",
                                        "host_without_sigcont_on_parent_death"),
              IsOk());
}

}  // namespace
}  // namespace mp::concepts
