// Lesson 9b's experiments with signals and process groups: what Ctrl-C reaches, how a
// SIGCHLD handler must reap, SIGTERM as a request, SIGPIPE, signals read from a
// descriptor, and who adopts an orphan. Each runs in children of its own, so a mistake
// cannot disturb the caller; the demo prints what each finds and the tests check it.

#ifndef MP_CONCEPTS_09B_SIGNALS_SIGNALS_H_
#define MP_CONCEPTS_09B_SIGNALS_SIGNALS_H_

#include <sys/types.h>

#include "absl/status/statusor.h"

namespace mp::concepts {

// Five children exit while SIGCHLD is blocked; then it is unblocked, and the handler runs
// (once: signals of one kind pending together are one). The handler reaps one child per
// call, or, with `reap_in_a_loop`, every child that has ended. Returns how many it reaped.
absl::StatusOr<int> ReapAfterFiveChildrenExit(bool reap_in_a_loop);

// A job (a process leading its own process group) starts three helpers; one of them, if
// `one_leaves_the_group`, moves to a session of its own (setsid, as a daemon does). Then
// SIGINT goes to the job's group, as Ctrl-C in a terminal sends it. Returns how many of
// the four processes it ended.
absl::StatusOr<int> CtrlCToAJob(bool one_leaves_the_group);

// How a child ended after `signal_number` was sent to it: the exit code if it caught the
// signal and finished in order (a handler that writes to a self-pipe, and a main loop
// that reads it), or minus the signal's number if it was killed. `catch_it`: install the
// handler (SIGKILL cannot be caught whatever we ask).
absl::StatusOr<int> SendAndSeeHowItEnds(int signal_number, bool catch_it);

// A child writes to a pipe whose reading end is closed. Returns minus SIGPIPE if the
// signal killed it, or the errno its write() failed with when SIGPIPE is ignored.
absl::StatusOr<int> WriteToAClosedPipe(bool ignore_sigpipe);

// In a child: block SIGUSR1, open a signalfd for it, have a grandchild send it, and read
// it as data. Returns the sender's pid as the signalfd reported it, which the tests
// compare with the grandchild's.
struct SignalAsData {
  pid_t sender_reported = -1;
  pid_t sender_actual = -1;
};
absl::StatusOr<SignalAsData> ReadASignalFromADescriptor();

// A process (the would-be reaper) starts a child that starts a grandchild and exits,
// orphaning it. Returns whether the orphan's new parent is the reaper: true when the
// reaper declared itself a subreaper (PR_SET_CHILD_SUBREAPER), false when the orphan
// went to init or to a subreaper further up.
absl::StatusOr<bool> OrphanIsAdoptedByTheReaper(bool declare_subreaper);

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_09B_SIGNALS_SIGNALS_H_
