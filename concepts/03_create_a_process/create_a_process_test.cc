// Proves the claims of this lesson's README, one test per claim.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/event.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"
#include "process/testing/counterfactual.h"
#include "process/testing/leak_check.h"
#include "process/testing/spawned_program.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr absl::Duration kGenerous = absl::Seconds(30);

class CreateAProcessTest : public test::IpcLeakCheckedTest {};

// Claim 1: Start() returns while the child still runs; IsAlive() is true until it ends.
TEST_F(CreateAProcessTest, StartReturnsWhileTheChildStillRuns) {
  absl::StatusOr<Event> go = Event::Create();
  ASSERT_THAT(go, IsOk());
  // (With Start() waiting for the child, as claim 1's counterfactual does, the child
  // gives up on the event soon, so that the test fails instead of hanging.)
  const absl::Duration bound = internal::BoundOnWaits(kGenerous);
  Process child([&go, bound] { return go->Wait(bound).ok() ? 0 : 1; });
  ASSERT_THAT(child.Start(), IsOk());
  EXPECT_TRUE(child.IsAlive()) << "the child cannot end before we set the event";
  EXPECT_EQ(child.exit_code(), std::nullopt);
  go->Set();
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_FALSE(child.IsAlive());
  EXPECT_THAT(child.exit_code(), Optional(0));
}

// Claim 2: Join() waits for the end; the exit code is what the target returned.
TEST_F(CreateAProcessTest, JoinGivesTheTargetsReturnValueAsTheExitCode) {
  Process returns_seven([] { return 7; });
  Process returns_nothing([] {});
  ASSERT_THAT(returns_seven.Start(), IsOk());
  ASSERT_THAT(returns_nothing.Start(), IsOk());
  ASSERT_THAT(returns_seven.Join(), IsOk());
  ASSERT_THAT(returns_nothing.Join(), IsOk());
  EXPECT_THAT(returns_seven.exit_code(), Optional(7));
  EXPECT_THAT(returns_nothing.exit_code(), Optional(0));
}

// Claim 3: a child ended by a signal has minus that signal as its exit code.
TEST_F(CreateAProcessTest, AChildEndedByASignalHasMinusItsNumberAsExitCode) {
  absl::StatusOr<Event> never = Event::Create();
  ASSERT_THAT(never, IsOk());
  Process killed([&never] { return never->Wait(kGenerous).ok() ? 0 : 1; });
  Process aborts([] {
    signal(SIGABRT, SIG_DFL);  // a sanitizer's handler would turn the signal into exit 1
    std::abort();
  });
  ASSERT_THAT(killed.Start(), IsOk());
  ASSERT_THAT(aborts.Start(), IsOk());
  ASSERT_THAT(killed.Kill(), IsOk());
  ASSERT_THAT(killed.Join(), IsOk());
  ASSERT_THAT(aborts.Join(), IsOk());
  EXPECT_THAT(killed.exit_code(), Optional(-SIGKILL));
  EXPECT_THAT(aborts.exit_code(), Optional(-SIGABRT));
}

// Claim 4: Join(timeout) gives up with DeadlineExceeded; the child keeps running.
TEST_F(CreateAProcessTest, JoinWithATimeoutGivesUpButTheChildRunsOn) {
  absl::StatusOr<Event> go = Event::Create();
  ASSERT_THAT(go, IsOk());
  Process child([&go] { return go->Wait(kGenerous).ok() ? 0 : 1; });
  ASSERT_THAT(child.Start(), IsOk());
  EXPECT_THAT(child.Join(absl::Milliseconds(1)), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_TRUE(child.IsAlive());
  go->Set();
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_THAT(child.exit_code(), Optional(0));
}

// Claims 1 to 4, counterfactuals: each test fails with the library's bug put back
// (base/put_bug_back.h), run again in a child process.
TEST_F(CreateAProcessTest, StartWaitingForTheChildFailsClaim1) {
  EXPECT_THAT(test::FailsWithBugPutBack("CreateAProcessTest.StartReturnsWhileTheChildStillRuns",
                                        "start_waits_for_child"),
              IsOk());
}

TEST_F(CreateAProcessTest, LosingTheExitCodeFailsClaim2) {
  EXPECT_THAT(
      test::FailsWithBugPutBack("CreateAProcessTest.JoinGivesTheTargetsReturnValueAsTheExitCode",
                                "exit_code_lost"),
      IsOk());
}

TEST_F(CreateAProcessTest, ReportingASignalTheShellsWayFailsClaim3) {
  EXPECT_THAT(
      test::FailsWithBugPutBack("CreateAProcessTest.AChildEndedByASignalHasMinusItsNumberAsExitCode",
                                "signal_as_shell_code"),
      IsOk());
}

TEST_F(CreateAProcessTest, KillingTheChildOnATimeoutFailsClaim4) {
  EXPECT_THAT(test::FailsWithBugPutBack("CreateAProcessTest.JoinWithATimeoutGivesUpButTheChildRunsOn",
                                        "join_timeout_kills_child"),
              IsOk());
}

// True where the caller runs in a process of its own whose parent is `parent`.
bool InAProcessOfItsOwnChildOf(pid_t parent) {
  const std::optional<ProcessInfo> my_parent = ParentProcess();
  return getpid() != parent && getppid() == parent && my_parent.has_value() &&
         my_parent->pid == parent;
}

// Claim 5: the child is a process of its own, whose parent is us.
TEST_F(CreateAProcessTest, TheChildHasItsOwnPidAndKnowsItsParent) {
  const pid_t parent = getpid();
  Process named({.name = "Checker"}, [parent] {
    return InAProcessOfItsOwnChildOf(parent) && CurrentProcess().name == "Checker" ? 0 : 1;
  });
  ASSERT_THAT(named.Start(), IsOk());
  ASSERT_THAT(named.Join(), IsOk());
  EXPECT_THAT(named.exit_code(), Optional(0));
  EXPECT_NE(named.pid(), std::optional<pid_t>(parent));
}

// Claim 5's counterfactual: the same check, run in a thread of the parent, fails: a
// thread shares its process's pid.
TEST_F(CreateAProcessTest, ATargetRunInAThreadHasTheParentsPid) {
  const pid_t parent = getpid();
  bool own_process = true;
  std::thread in_a_thread([&] { own_process = InAProcessOfItsOwnChildOf(parent); });
  in_a_thread.join();
  EXPECT_FALSE(own_process);
}

// Claim 6: a child that has ended stays a zombie until its parent collects it; Join()
// collects it, and then it is gone from the process table.
TEST_F(CreateAProcessTest, AnEndedChildIsAZombieUntilJoinCollectsIt) {
  Process child([] { return 0; });
  ASSERT_THAT(child.Start(), IsOk());
  // Wait for it to end *without* collecting it (WNOWAIT leaves it as it is).
  siginfo_t info = {};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(*child.pid()), &info, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(test::ProcessState(*child.pid()), 'Z') << "ended but not collected: a zombie";
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_EQ(test::ProcessState(*child.pid()), std::nullopt) << "collected: no longer in /proc";
}

// Claim 6, counterfactual: a parent that ignores SIGCHLD (SIG_IGN) has no zombies: the
// kernel collects each child as it ends, and there is no exit status left to read
// (waiting fails with ECHILD). Run in a process of its own, so our own SIGCHLD stays as it is.
TEST_F(CreateAProcessTest, IgnoringSigchldLeavesNoZombieAndNoExitStatus) {
  Process lab([] {
    signal(SIGCHLD, SIG_IGN);
    const pid_t child = fork();
    if (child == 0) _exit(3);
    siginfo_t info = {};
    // Returns once the child has ended; with SIGCHLD ignored it has already been collected.
    const bool no_status = waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) == -1 &&
                           errno == ECHILD;
    // Gone, or on its way out ('X', dead: the kernel is releasing it, which can still
    // show for a moment after waitid() has returned); never 'Z', waiting to be collected.
    const std::optional<char> state = test::ProcessState(child);
    const bool no_zombie = !state.has_value() || *state != 'Z';
    return no_status && no_zombie ? 0 : 1;
  });
  ASSERT_THAT(lab.Start(), IsOk());
  ASSERT_THAT(lab.Join(), IsOk());
  EXPECT_THAT(lab.exit_code(), Optional(0));
}

// Claim 7: a spawned child is a fresh run of this program, so main() must hand it over
// first; a program that forgets is refused at Start(), with a message that says what to add.
TEST(ForgotHandOffTest, SpawnWithoutHandOffToLibraryIsRefusedWithAHint) {
  absl::StatusOr<test::ProgramOutput> output = test::RunProgram(
      test::Runfile("concepts/03_create_a_process/forgot_hand_off"), {}, kGenerous);
  ASSERT_THAT(output, IsOk());
  EXPECT_EQ(output->exit_code, 1);
  EXPECT_THAT(output->stdout_text, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(output->stdout_text, HasSubstr("HandOffToLibrary"));
}

// Claim 7, the other half: with the hand-off in main(), every start method runs the task.
TEST(CreateAProcessDemoTest, EveryStartMethodRunsTheChildAndReportsItsEnd) {
  for (const char* method : {"fork", "spawn", "forkserver"}) {
    SCOPED_TRACE(method);
    absl::StatusOr<test::ProgramOutput> output =
        test::RunProgram(test::Runfile("concepts/03_create_a_process/demo"),
                         {absl::StrCat("--start_method=", method), "--exit_code=3"}, kGenerous);
    ASSERT_THAT(output, IsOk());
    EXPECT_EQ(output->exit_code, 0);
    EXPECT_THAT(output->stdout_text, HasSubstr("is_alive() = true"));
    EXPECT_THAT(output->stdout_text, HasSubstr("child:  I am pid"));
    EXPECT_THAT(output->stdout_text, HasSubstr("exit_code() = 3"));
  }
}

}  // namespace
}  // namespace mp
