// Lesson 9b's demo: signals, process groups and Ctrl-C, one experiment each (signals.h).

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/status/statusor.h"
#include "base/cli/parse_flags.h"
#include "concepts/09b_signals/signals.h"

namespace {

template <typename T>
T OrExit(absl::StatusOr<T> value, const char* what) {
  if (!value.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, value.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(value);
}

std::string Ending(int code) {
  if (code < 0) return std::string("killed by SIG") + sigabbrev_np(-code);
  return "exit code " + std::to_string(code);
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Signals, process groups and Ctrl-C, one experiment each.");
  std::printf("1. Five children exit while SIGCHLD is blocked; then the handler runs\n");
  std::printf("   reaping one child per call: %d reaped (the other 4 stay zombies)\n",
              OrExit(mp::concepts::ReapAfterFiveChildrenExit(false), "reap"));
  std::printf("   reaping in a loop:          %d reaped\n\n",
              OrExit(mp::concepts::ReapAfterFiveChildrenExit(true), "reap"));

  std::printf("2. Ctrl-C (SIGINT to the job's process group) and a job of 4 processes\n");
  std::printf("   all 4 in the group:          it reached %d\n", OrExit(mp::concepts::CtrlCToAJob(false), "job"));
  std::printf("   one moved away with setsid(): it reached %d\n\n", OrExit(mp::concepts::CtrlCToAJob(true), "job"));

  std::printf("3. SIGTERM asks; SIGKILL does not\n");
  std::printf("   SIGTERM, caught (self-pipe, then finish in order): %s\n",
              Ending(OrExit(mp::concepts::SendAndSeeHowItEnds(SIGTERM, true), "sigterm")).c_str());
  std::printf("   SIGTERM, not caught:                               %s\n",
              Ending(OrExit(mp::concepts::SendAndSeeHowItEnds(SIGTERM, false), "sigterm")).c_str());
  std::printf("   SIGKILL, 'caught':                                 %s\n\n",
              Ending(OrExit(mp::concepts::SendAndSeeHowItEnds(SIGKILL, true), "sigkill")).c_str());

  std::printf("4. Writing to a pipe nobody can read\n");
  std::printf("   by default: %s\n", Ending(OrExit(mp::concepts::WriteToAClosedPipe(false), "sigpipe")).c_str());
  const int error = OrExit(mp::concepts::WriteToAClosedPipe(true), "sigpipe");
  std::printf("   SIGPIPE ignored: write() failed with %s\n\n", strerrorname_np(error));

  const mp::concepts::SignalAsData data = OrExit(mp::concepts::ReadASignalFromADescriptor(), "signalfd");
  std::printf("5. A blocked SIGUSR1 read from a signalfd: sent by pid %d, which was the sender (%d)\n\n",
              data.sender_reported, data.sender_actual);

  std::printf("6. An orphan's new parent\n");
  std::printf("   its grandparent declared itself a subreaper: adopted by it: %s\n",
              OrExit(mp::concepts::OrphanIsAdoptedByTheReaper(true), "orphan") ? "yes" : "no");
  std::printf("   it did not: adopted by it: %s\n",
              OrExit(mp::concepts::OrphanIsAdoptedByTheReaper(false), "orphan") ? "yes" : "no");
  return 0;
}
