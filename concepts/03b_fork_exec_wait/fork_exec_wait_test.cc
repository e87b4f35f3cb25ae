// Proves the claims of lesson 3b's README, one test per claim, with the raw system calls
// (by_hand.h). Where a claim has a counterfactual (SA_RESTART, _exit), the same test runs
// it and shows the difference.

#include <signal.h>
#include <unistd.h>

#include <string>

#include "base/testing/status_matchers.h"
#include "concepts/03b_fork_exec_wait/by_hand.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/testing/counterfactual.h"
#include "process/testing/leak_check.h"

namespace mp::concepts {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;

class ForkExecWaitTest : public test::LeakCheckedTest {};

// Claim 1: fork() returns twice: the child's pid in the parent, 0 in the child.
TEST_F(ForkExecWaitTest, ForkReturnsTheChildsPidInTheParentAndZeroInTheChild) {
  absl::StatusOr<TwoReturns> two = ForkReturnsTwice();
  ASSERT_THAT(two, IsOk());
  EXPECT_EQ(two->in_child, 0);
  EXPECT_GT(two->in_parent, 0);
  EXPECT_EQ(two->in_parent, two->child_getpid);
  EXPECT_EQ(two->child_getppid, getpid());
}

// Claim 2: exec replaces the program but keeps the process (its pid), and the new program
// gets exactly the argv and environment it was given.
TEST_F(ForkExecWaitTest, ExecReplacesTheProgramInTheSameProcess) {
  absl::StatusOr<Exec> shell = ForkAndExec({"/bin/sh", "-c", "echo $$"}, {});
  ASSERT_THAT(shell, IsOk());
  EXPECT_EQ(shell->output, std::to_string(shell->forked) + "\n") << "the shell's pid is the child's";
  absl::StatusOr<Exec> env = ForkAndExec({"/usr/bin/env"}, {"COURSE=lesson-3b"});
  ASSERT_THAT(env, IsOk());
  EXPECT_EQ(env->output, "COURSE=lesson-3b\n");
  EXPECT_TRUE(env->status.exited && env->status.exit_status == 0);
}

// Claim 2: exec returns only when it failed; the child is then still our program and must
// leave by itself (127, as a shell does).
TEST_F(ForkExecWaitTest, ExecReturnsOnlyWhenItFails) {
  absl::StatusOr<Exec> missing = ForkAndExec({"/no/such/program"}, {});
  ASSERT_THAT(missing, IsOk());
  EXPECT_EQ(missing->output, "exec failed: errno " + std::to_string(ENOENT));
  EXPECT_TRUE(missing->status.exited);
  EXPECT_EQ(missing->status.exit_status, 127);
}

// Claim 3: waitpid()'s status says how the child ended, read with the macros: an exit
// and its code, or a signal and its number, never both.
TEST_F(ForkExecWaitTest, TheStatusMacrosTellAnExitFromASignal) {
  absl::StatusOr<WaitStatus> exited = ExitWith(3);
  ASSERT_THAT(exited, IsOk());
  EXPECT_TRUE(exited->exited);
  EXPECT_FALSE(exited->signaled);
  EXPECT_EQ(exited->exit_status, 3);
  for (int signal_number : {SIGABRT, SIGKILL, SIGSEGV}) {
    absl::StatusOr<WaitStatus> killed = DieBySignal(signal_number);
    ASSERT_THAT(killed, IsOk());
    EXPECT_FALSE(killed->exited);
    EXPECT_TRUE(killed->signaled);
    EXPECT_EQ(killed->term_signal, signal_number);
  }
}

// Claim 4: only the low 8 bits of an exit code reach the parent.
TEST_F(ForkExecWaitTest, ExitCodesAreEightBits) {
  EXPECT_THAT(ExitWith(256), IsOkAndHolds(::testing::Field(&WaitStatus::exit_status, 0)));
  EXPECT_THAT(ExitWith(-1), IsOkAndHolds(::testing::Field(&WaitStatus::exit_status, 255)));
  EXPECT_THAT(ExitWith(300), IsOkAndHolds(::testing::Field(&WaitStatus::exit_status, 44)));
}

// Claim 5: a forked child that ends with exit() writes out the stdio buffer it copied, so
// a line buffered before fork() appears twice; with _exit() (the counterfactual, and the
// rule for a forked child), once.
TEST_F(ForkExecWaitTest, ExitWritesTheCopiedStdioBufferAgainAndUnderscoreExitDoesNot) {
  const std::string line = "a line still in the buffer\n";
  EXPECT_THAT(BufferedLineThenFork(/*child_calls_exit=*/true), IsOkAndHolds(line + line));
  EXPECT_THAT(BufferedLineThenFork(/*child_calls_exit=*/false), IsOkAndHolds(line));
}

// Claim 6: a signal handled while waitpid() blocks makes it fail with EINTR, so callers
// retry; with SA_RESTART (the counterfactual) the kernel restarts it instead.
TEST_F(ForkExecWaitTest, ASignalInterruptsWaitpidUnlessItsHandlerAsksForRestart) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer delivers signals at points of its own choosing, not inside "
                  "waitpid(), so EINTR cannot be observed under it";
#endif
  EXPECT_THAT(InterruptedWaitpid(/*sa_restart=*/false), IsOkAndHolds(1));
  EXPECT_THAT(InterruptedWaitpid(/*sa_restart=*/true), IsOkAndHolds(0));
}

// Claim 7: fork() can fail, returning -1 with errno EAGAIN where no process may start.
TEST_F(ForkExecWaitTest, ForkFailsWithEagainWhereNoProcessMayStart) {
  EXPECT_THAT(ForkWhereNoProcessMayStart(), IsOkAndHolds(EAGAIN));
}

// Claims 1, 2 and 7, counterfactuals: each test fails with its bug put back in this
// lesson's code (base/put_bug_back.h), run again in a child process.
TEST_F(ForkExecWaitTest, TheChildsValueTakenFromTheParentFailsClaim1) {
  EXPECT_THAT(test::FailsWithBugPutBack(
                  "ForkExecWaitTest.ForkReturnsTheChildsPidInTheParentAndZeroInTheChild",
                  "fork_child_value_from_parent"),
              IsOk());
}

TEST_F(ForkExecWaitTest, ExecInANewProcessFailsClaim2) {
  EXPECT_THAT(test::FailsWithBugPutBack("ForkExecWaitTest.ExecReplacesTheProgramInTheSameProcess",
                                        "exec_in_a_new_process"),
              IsOk());
}

TEST_F(ForkExecWaitTest, NoSeccompFilterFailsClaim7) {
  EXPECT_THAT(test::FailsWithBugPutBack("ForkExecWaitTest.ForkFailsWithEagainWhereNoProcessMayStart",
                                        "seccomp_filter_left_out"),
              IsOk());
}

}  // namespace
}  // namespace mp::concepts
