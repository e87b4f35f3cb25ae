// Q3: how do you create a process?
//
//   bazel run //concepts/03_create_a_process:demo
//   bazel run //concepts/03_create_a_process:demo -- --start_method=spawn --ending=abort
//
// Starts one child with mp::Process, shows that Start() returns while the child still
// runs, lets the child go, joins it and prints how it ended. The child waits for the
// parent's go-ahead (an mp::Event), so "still alive" is certain, not a race.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "ipc/event.h"
#include "process/hand_off.h"
#include "process/process.h"

ABSL_FLAG(std::string, start_method, "fork", "fork, spawn or forkserver");
ABSL_FLAG(int, exit_code, 0, "what the child returns (0 to 255)");
ABSL_FLAG(std::string, ending, "return",
          "how the child ends: return (its exit code), abort (SIGABRT), or kill (the parent "
          "sends SIGKILL)");

namespace {

// The child's work. A plain function, registered, so that every start method can run it:
// a spawned child is a fresh run of this program and finds it by name.
int Child(std::string go_event, int exit_code, bool abort_at_end) {
  absl::StatusOr<mp::Event> go = mp::Event::Attach(go_event);
  if (!go.ok() || !go->Wait(absl::Seconds(60)).ok()) return 100;
  const std::optional<mp::ProcessInfo> parent = mp::ParentProcess();
  std::printf("  child:  I am pid %d, named %s; my parent is pid %d\n", getpid(),
              mp::CurrentProcess().name.c_str(), parent ? parent->pid : 0);
  std::fflush(stdout);
  if (abort_at_end) std::abort();
  return exit_code;
}
MP_REGISTER_TASK(Child);

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // First line of main(): in a child started by spawn or forkserver this runs the task
  // and never returns. The C++ twin of Python's `if __name__ == "__main__":`.
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "Starts a process, joins it, and shows how it ended.");
  const std::optional<mp::StartMethod> method = mp::ParseStartMethod(absl::GetFlag(FLAGS_start_method));
  if (!method) mp::cli::ExitBadUsage("--start_method must be fork, spawn or forkserver");
  const int exit_code = absl::GetFlag(FLAGS_exit_code);
  if (exit_code < 0 || exit_code > 255) mp::cli::ExitBadUsage("--exit_code must be 0 to 255");
  const std::string ending = absl::GetFlag(FLAGS_ending);
  if (ending != "return" && ending != "abort" && ending != "kill") {
    mp::cli::ExitBadUsage("--ending must be return, abort or kill");
  }

  absl::StatusOr<mp::Event> go = mp::Event::Create();
  if (!go.ok()) return Fail("creating the event", go.status());
  mp::Process child({.start_method = *method}, Child, go->name(), exit_code, ending == "abort");

  std::printf("parent: I am pid %d; starting a child with start method %s\n", getpid(),
              std::string(mp::StartMethodName(*method)).c_str());
  std::fflush(stdout);  // so that a forked child does not inherit this line unprinted
  if (absl::Status started = child.Start(); !started.ok()) return Fail("Start()", started);
  std::printf("parent: Start() returned; child pid %d, is_alive() = %s\n", *child.pid(),
              child.IsAlive() ? "true" : "false");

  if (ending == "kill") {
    std::printf("parent: sending SIGKILL instead of letting it go\n");
    (void)child.Kill();
  } else {
    std::printf("parent: letting the child go, then Join()\n");
    std::fflush(stdout);
    go->Set();
  }
  if (absl::Status joined = child.Join(); !joined.ok()) return Fail("Join()", joined);
  std::printf("parent: Join() returned; is_alive() = %s, exit_code() = %d%s\n",
              child.IsAlive() ? "true" : "false", *child.exit_code(),
              *child.exit_code() < 0 ? " (minus the signal that ended it)" : "");
  return 0;
}
