// Exercise X7: build a pool of worker processes from fork(), pipes and waitpid().
//
// Goal (see README.md): map x7::Work over the inputs 1 .. --tasks on --workers worker
// processes that you fork once and reuse; print "task x: <Work(x)>" for every input in
// input order, then "done". A worker that dies mid-task fails only that task ("task x:
// failed: ...") and is replaced. When the program exits, no worker is left.
//
// Run it:    ./bazelw run //exercises/x7_build_a_pool -- --workers=3 --tasks=12
// Grade it:  ./bazelw test //exercises/x7_build_a_pool:grade

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"
#include "exercises/x7_build_a_pool/work.h"

ABSL_FLAG(int, workers, 3, "worker processes (1 to 64)");
ABSL_FLAG(int, tasks, 12, "inputs 1 .. N to map Work() over (1 to 10000)");

// Helpers for you to use ([[maybe_unused]] keeps the compiler quiet until you do).
namespace {

// Reads or writes exactly one int64_t; false at end of file or on an error.
[[maybe_unused]] bool ReadNumber(int fd, int64_t* number) {
  char* into = reinterpret_cast<char*>(number);
  for (size_t done = 0; done < sizeof *number;) {
    const ssize_t got = read(fd, into + done, sizeof *number - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

[[maybe_unused]] bool WriteNumber(int fd, int64_t number) {
  return write(fd, &number, sizeof number) == sizeof number;  // 8 bytes: one write
}

// One worker, as the parent sees it.
struct Worker {
  pid_t pid = -1;
  int tasks_fd = -1;    // the parent writes inputs here
  int results_fd = -1;  // and reads results here
  int task = -1;        // the index of the input it is working on; -1 when idle
};

// How a worker ended, in words.
[[maybe_unused]] std::string HowItEnded(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    return "worker " + std::to_string(pid) + " was killed by signal " + std::to_string(WTERMSIG(status));
  }
  return "worker " + std::to_string(pid) + " exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Maps Work() over 1 .. --tasks on a pool of worker processes.");
  const int workers = absl::GetFlag(FLAGS_workers);
  const int tasks = absl::GetFlag(FLAGS_tasks);
  if (workers < 1 || workers > 64) mp::cli::ExitBadUsage("--workers must be 1 to 64");
  if (tasks < 1 || tasks > 10000) mp::cli::ExitBadUsage("--tasks must be 1 to 10000");
  // A worker that dies makes its pipe's write fail with SIGPIPE: we want the error instead.
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> outcomes(tasks);  // "1", or "failed: ...", by input index
  // TODO(student): this runs every task here, in the parent, one after another. Build the
  // pool instead:
  //   1. fork --workers workers, each with two pipes: one for inputs, one for results;
  //      a worker reads an input, writes Work(input) back, until its inputs pipe ends;
  //   2. give each idle worker the next input, then poll() the busy workers' results
  //      pipes and read whichever answers;
  //   3. a results pipe at end of file means its worker died: waitpid() it, set that
  //      task's outcome to "failed: " + HowItEnded(pid), and fork a replacement;
  //   4. at the end, close every inputs pipe and waitpid() every worker.
  for (int i = 0; i < tasks; ++i) outcomes[i] = std::to_string(x7::Work(i + 1));

  for (int i = 0; i < tasks; ++i) std::printf("task %d: %s\n", i + 1, outcomes[i].c_str());
  std::printf("done\n");
  return 0;
}
