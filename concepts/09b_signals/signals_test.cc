// Proves the claims of lesson 9b's README, one test per claim; each runs its
// counterfactual beside it and shows the difference.

#include <signal.h>

#include "base/testing/status_matchers.h"
#include "concepts/09b_signals/signals.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/testing/counterfactual.h"
#include "process/testing/leak_check.h"

namespace mp::concepts {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;

class SignalsTest : public test::LeakCheckedTest {};

// Claim 1: signals of one kind do not queue: five children's SIGCHLDs, pending together,
// run the handler once. A handler that reaps one child per signal leaves four zombies;
// one that reaps in a loop collects all five.
TEST_F(SignalsTest, ASigchldHandlerMustReapInALoop) {
  EXPECT_THAT(ReapAfterFiveChildrenExit(/*reap_in_a_loop=*/false), IsOkAndHolds(1));
  EXPECT_THAT(ReapAfterFiveChildrenExit(/*reap_in_a_loop=*/true), IsOkAndHolds(5));
}

// Claim 2: Ctrl-C (SIGINT to the foreground process group) reaches every process of the
// job, the helpers it started too; a process that moved to a session of its own (setsid,
// as a daemon does) is not reached.
TEST_F(SignalsTest, CtrlCReachesEveryProcessOfTheJobButNotOneThatLeftIt) {
  EXPECT_THAT(CtrlCToAJob(/*one_leaves_the_group=*/false), IsOkAndHolds(4));
  EXPECT_THAT(CtrlCToAJob(/*one_leaves_the_group=*/true), IsOkAndHolds(3));
}

// Claim 3: SIGTERM is a request: a process that catches it (the handler only writes to a
// self-pipe; the main loop does the rest) finishes in order and exits 0. Uncaught, it
// kills. SIGKILL cannot be caught at all.
TEST_F(SignalsTest, SigtermCanBeCaughtToFinishInOrderSigkillCannot) {
  EXPECT_THAT(SendAndSeeHowItEnds(SIGTERM, /*catch_it=*/true), IsOkAndHolds(0));
  EXPECT_THAT(SendAndSeeHowItEnds(SIGTERM, /*catch_it=*/false), IsOkAndHolds(-SIGTERM));
  EXPECT_THAT(SendAndSeeHowItEnds(SIGKILL, /*catch_it=*/true), IsOkAndHolds(-SIGKILL));
}

// Claim 4: writing to a pipe nobody can read kills the writer with SIGPIPE; with SIGPIPE
// ignored, the write fails with EPIPE instead, an error the program can handle.
TEST_F(SignalsTest, AWriteNobodyCanReadIsSigpipeOrEpipe) {
  EXPECT_THAT(WriteToAClosedPipe(/*ignore_sigpipe=*/false), IsOkAndHolds(-SIGPIPE));
  EXPECT_THAT(WriteToAClosedPipe(/*ignore_sigpipe=*/true), IsOkAndHolds(EPIPE));
}

// Claim 5: a blocked signal can be read from a descriptor (signalfd) like any data, with
// who sent it.
TEST_F(SignalsTest, ABlockedSignalCanBeReadFromADescriptor) {
  absl::StatusOr<SignalAsData> read = ReadASignalFromADescriptor();
  ASSERT_THAT(read, IsOk());
  EXPECT_GT(read->sender_actual, 0);
  EXPECT_EQ(read->sender_reported, read->sender_actual);
}

// Claim 5, counterfactual: a signal left unblocked is delivered, not kept for the
// descriptor, and SIGUSR1's default action ends the process that was to read it.
TEST_F(SignalsTest, ASignalLeftUnblockedFailsClaim5) {
  EXPECT_THAT(test::FailsWithBugPutBack("SignalsTest.ABlockedSignalCanBeReadFromADescriptor",
                                        "signal_left_unblocked"),
              IsOk());
}

// Claim 6: an orphan is adopted by the nearest ancestor that declared itself a subreaper
// (otherwise by init, or a subreaper further up), which must then collect it.
TEST_F(SignalsTest, AnOrphanGoesToTheNearestSubreaper) {
  EXPECT_THAT(OrphanIsAdoptedByTheReaper(/*declare_subreaper=*/true), IsOkAndHolds(true));
  EXPECT_THAT(OrphanIsAdoptedByTheReaper(/*declare_subreaper=*/false), IsOkAndHolds(false));
}

}  // namespace
}  // namespace mp::concepts
