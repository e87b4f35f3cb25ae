// A program for process_lifecycle_test: scenarios that need a parent the test can
// kill, or a stdout that is a pipe.
//
//   --scenario=daemon  starts a child that prints its pid and waits forever, then
//                      waits for stdin to close. --daemon and --start_method apply.
//                      The child prints its own pid, so once the line arrives the
//                      child is known to be past its start-up (daemon set-up done).
//   --scenario=stdio   prints a line with buffered stdio, forks a child that prints
//                      one, joins it, prints a last line.

#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"
#include "process/hand_off.h"
#include "process/process.h"
#include "process/task_registry.h"

ABSL_FLAG(std::string, scenario, "", "daemon or stdio");
ABSL_FLAG(bool, daemon, false, "start the child as a daemon");
ABSL_FLAG(std::string, start_method, "fork", "fork, spawn or forkserver");

namespace {

void PrintPidAndPause() {
  std::printf("%d\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
  while (true) ::pause();
}
MP_REGISTER_TASK(PrintPidAndPause);

int RunDaemonScenario() {
  mp::StartMethod method = mp::StartMethod::kFork;
  const std::string name = absl::GetFlag(FLAGS_start_method);
  if (name == "spawn") method = mp::StartMethod::kSpawn;
  if (name == "forkserver") method = mp::StartMethod::kForkServer;
  mp::Process child({.daemon = absl::GetFlag(FLAGS_daemon), .start_method = method},
                    PrintPidAndPause);
  if (!child.Start().ok()) return 1;
  char ignored;
  while (::read(STDIN_FILENO, &ignored, 1) > 0) {
  }
  // The test kills us before stdin closes; should it not, the child dies with us.
  return 0;
}

int RunStdioScenario() {
  std::printf("parent before fork\n");  // stdout is a pipe: this stays in the buffer
  mp::Process child([] { std::printf("child\n"); });
  if (!child.Start().ok() || !child.Join().ok()) return 1;
  std::printf("parent after join\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "process_test_program --scenario=daemon|stdio");
  const std::string scenario = absl::GetFlag(FLAGS_scenario);
  if (scenario == "daemon") return RunDaemonScenario();
  if (scenario == "stdio") return RunStdioScenario();
  mp::cli::ExitBadUsage("--scenario must be daemon or stdio");
}
