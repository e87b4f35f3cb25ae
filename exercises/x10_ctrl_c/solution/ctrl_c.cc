// Reference solution for exercise X10: a runner that stops cleanly on Ctrl-C or SIGTERM.

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

// Starts task `x` in a child process. A Ctrl-C at the terminal is sent to every process
// of the foreground process group, the tasks included: they ignore it, and let the
// runner decide what happens to them.
pid_t StartTask(int x, const std::string& scratch, const sigset_t& mask_before) {
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return -1;
  }
  if (pid == 0) {
    signal(SIGINT, SIG_IGN);
    sigprocmask(SIG_SETMASK, &mask_before, nullptr);
    x10::RunTask(x, scratch);
    _exit(0);
  }
  return pid;
}

timespec Now() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now;
}

long MillisecondsSince(const timespec& start) {
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

  // SIGINT, SIGTERM and SIGCHLD are blocked, and taken one at a time with sigwaitinfo() /
  // sigtimedwait() in the loop below: no handler runs at an awkward moment, and none is
  // lost between checking a flag and going to sleep.
  sigset_t signals;
  sigset_t mask_before;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGCHLD);
  sigprocmask(SIG_BLOCK, &signals, &mask_before);

  const std::string scratch = MakeScratch(absl::GetFlag(FLAGS_scratch_in));
  std::map<pid_t, int> running;  // pid -> task
  int next = 1;
  int stop_signal = 0;  // SIGINT or SIGTERM, once one has come
  timespec stop_time{};
  bool killed = false;
  while (true) {
    while (stop_signal == 0 && next <= tasks && static_cast<int>(running.size()) < workers) {
      const pid_t pid = StartTask(next, scratch, mask_before);
      if (pid > 0) running[pid] = next;
      ++next;
    }
    if (running.empty()) break;

    // Sleep until a task ends (SIGCHLD) or we are asked to stop; once stopping, no
    // longer than what is left of the grace period.
    int signal_number;
    if (stop_signal != 0 && !killed) {
      const long left_ms = grace_ms - MillisecondsSince(stop_time);
      timespec left = {left_ms > 0 ? left_ms / 1000 : 0, left_ms > 0 ? (left_ms % 1000) * 1000000 : 0};
      signal_number = sigtimedwait(&signals, nullptr, &left);
    } else {
      signal_number = sigwaitinfo(&signals, nullptr);
    }
    if ((signal_number == SIGINT || signal_number == SIGTERM) && stop_signal == 0) {
      stop_signal = signal_number;
      stop_time = Now();
      std::printf("stopping (%s): waiting for %zu running tasks\n",
                  signal_number == SIGINT ? "SIGINT" : "SIGTERM", running.size());
      std::fflush(stdout);
    }
    if (signal_number < 0 && errno == EAGAIN) {  // the grace period is over
      for (const auto& [pid, task] : running) kill(pid, SIGKILL);
      killed = true;
    }
    // Collect every task that has ended (one SIGCHLD may stand for several).
    int status;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) running.erase(pid);
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
