// Exercise X10: a runner that stops cleanly on Ctrl-C or SIGTERM.
//
// Goal (see README.md): run tasks 1 .. --tasks, --workers at a time, one child process
// each; print "task x: <result>" for each in order, then "done". On Ctrl-C (SIGINT, sent
// by the terminal to the whole foreground process group) or SIGTERM: print
// "stopping (SIGINT)" or "stopping (SIGTERM)", start no new task, let the running ones
// finish for up to --grace_ms and then kill them, collect every child, remove the scratch
// directory, print the results you have and "interrupted: K of N tasks done", and exit
// 130 (SIGINT) or 143 (SIGTERM).
//
// Run it:    ./bazelw run //exercises/x10_ctrl_c -- --tasks=20    (then press Ctrl-C)
// Grade it:  ./bazelw test //exercises/x10_ctrl_c:grade

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"
#include "exercises/x10_ctrl_c/task.h"

ABSL_FLAG(int, workers, 2, "tasks that run at once, one process each (1 to 64)");
ABSL_FLAG(int, tasks, 8, "the job: tasks 1 .. N (1 to 10000)");
ABSL_FLAG(int, grace_ms, 2000,
          "after Ctrl-C or SIGTERM, how long running tasks may take to finish before they "
          "are killed, in ms (0 to 600000)");
ABSL_FLAG(std::string, scratch_in, "", "where to make the scratch directory (default: $TMPDIR, else /tmp)");

namespace {

// The scratch directory every task writes its result into; the runner removes it.
std::string MakeScratch(std::string base) {
  if (base.empty()) base = getenv("TMPDIR") != nullptr ? getenv("TMPDIR") : "/tmp";
  std::string pattern = base + "/x10-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror(pattern.c_str());
    std::exit(1);
  }
  return pattern;
}

void RemoveScratch(const std::string& scratch, int tasks) {
  for (int x = 1; x <= tasks; ++x) {
    unlink((scratch + "/result." + std::to_string(x)).c_str());
    unlink((scratch + "/result." + std::to_string(x) + ".partial").c_str());
  }
  rmdir(scratch.c_str());
}

// Starts task `x` in a child process.
pid_t StartTask(int x, const std::string& scratch) {
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return -1;
  }
  if (pid == 0) {
    x10::RunTask(x, scratch);
    _exit(0);
  }
  return pid;
}

// For the grace period: a monotonic clock, and the milliseconds since a time read from it.
[[maybe_unused]] timespec Now() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now;
}

[[maybe_unused]] long MillisecondsSince(const timespec& start) {
  const timespec now = Now();
  return (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Runs a long job on worker processes; stops cleanly on Ctrl-C.");
  const int workers = absl::GetFlag(FLAGS_workers);
  const int tasks = absl::GetFlag(FLAGS_tasks);
  const int grace_ms = absl::GetFlag(FLAGS_grace_ms);
  if (workers < 1 || workers > 64) mp::cli::ExitBadUsage("--workers must be 1 to 64");
  if (tasks < 1 || tasks > 10000) mp::cli::ExitBadUsage("--tasks must be 1 to 10000");
  if (grace_ms < 0 || grace_ms > 600000) mp::cli::ExitBadUsage("--grace_ms must be 0 to 600000");

  const std::string scratch = MakeScratch(absl::GetFlag(FLAGS_scratch_in));
  std::map<pid_t, int> running;  // pid -> task
  int next = 1;
  int stop_signal = 0;  // SIGINT or SIGTERM, once one has come
  // TODO(student): today a Ctrl-C kills this runner at once (SIGINT's default action),
  // and its tasks with it: nothing is collected, the scratch directory stays. Make it
  // stop cleanly instead:
  //   1. take SIGINT and SIGTERM yourself (a handler that sets a flag, or better: block
  //      them, and SIGCHLD, with sigprocmask() and wait for them with sigwaitinfo());
  //   2. make the tasks ignore SIGINT (the terminal sends it to them too);
  //   3. once asked to stop: print "stopping (SIGINT)" or "stopping (SIGTERM)" at once,
  //      start no new task, give the running ones --grace_ms to finish (sigtimedwait()),
  //      then SIGKILL what still runs; collect every child either way;
  //   4. exit 128 + the signal's number after the "interrupted: ..." line.
  while (true) {
    while (next <= tasks && static_cast<int>(running.size()) < workers) {
      const pid_t pid = StartTask(next, scratch);
      if (pid > 0) running[pid] = next;
      ++next;
    }
    if (running.empty()) break;
    int status;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid > 0) running.erase(pid);
  }

  int finished = 0;
  for (int x = 1; x <= tasks; ++x) {
    const long result = x10::ReadResult(x, scratch);
    if (result < 0) continue;
    std::printf("task %d: %ld\n", x, result);
    ++finished;
  }
  RemoveScratch(scratch, tasks);
  if (stop_signal != 0) {
    std::printf("interrupted: %d of %d tasks done\n", finished, tasks);
    return 128 + stop_signal;  // as a shell reports a command that a signal stopped
  }
  std::printf("done\n");
  return 0;
}
