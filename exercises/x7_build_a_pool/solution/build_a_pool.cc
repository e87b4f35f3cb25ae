// Reference solution for exercise X7: a pool of worker processes built from fork, pipes
// and waitpid.

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

namespace {

// Reads or writes exactly one int64_t; false at end of file or on an error.
bool ReadNumber(int fd, int64_t* number) {
  char* into = reinterpret_cast<char*>(number);
  for (size_t done = 0; done < sizeof *number;) {
    const ssize_t got = read(fd, into + done, sizeof *number - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

bool WriteNumber(int fd, int64_t number) {
  return write(fd, &number, sizeof number) == sizeof number;  // 8 bytes: one write
}

struct Worker {
  pid_t pid = -1;
  int tasks_fd = -1;    // the parent writes inputs here
  int results_fd = -1;  // and reads results here
  int task = -1;        // the index of the input it is working on; -1 when idle
};

// A worker's whole life: read an input, write Work(input), until end of file.
[[noreturn]] void WorkerLoop(int tasks_fd, int results_fd) {
  for (int64_t input; ReadNumber(tasks_fd, &input);) {
    if (!WriteNumber(results_fd, x7::Work(input))) break;
  }
  _exit(0);
}

// Starts a worker. The child closes its copies of the other workers' pipe ends (it uses
// none of them: a copy of a sibling's inputs pipe would keep that sibling from seeing
// end of file until this one ends), and the parent closes the worker's ends of both
// pipes (its copy of the results pipe's write end would keep it from ever seeing end of
// file there when the worker dies).
Worker StartWorker(const std::vector<Worker>& others) {
  int tasks[2];
  int results[2];
  if (pipe(tasks) != 0 || pipe(results) != 0) {
    std::perror("pipe");
    std::exit(1);
  }
  Worker worker;
  worker.pid = fork();
  if (worker.pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (worker.pid == 0) {
    for (const Worker& other : others) {
      close(other.tasks_fd);
      close(other.results_fd);
    }
    close(tasks[1]);
    close(results[0]);
    WorkerLoop(tasks[0], results[1]);
  }
  close(tasks[0]);
  close(results[1]);
  worker.tasks_fd = tasks[1];
  worker.results_fd = results[0];
  return worker;
}

// How a worker ended, in words.
std::string HowItEnded(pid_t pid) {
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
  std::vector<Worker> pool;
  for (int i = 0; i < workers; ++i) pool.push_back(StartWorker(pool));

  int next = 0;
  int finished = 0;
  while (finished < tasks) {
    // Give every idle worker the next input.
    for (Worker& worker : pool) {
      if (worker.task >= 0 || next >= tasks) continue;
      worker.task = next++;
      WriteNumber(worker.tasks_fd, worker.task + 1);  // a dead worker shows below as EOF
    }
    // Wait until some busy worker answers, or dies (its results pipe then ends).
    std::vector<pollfd> busy;
    for (const Worker& worker : pool) {
      if (worker.task >= 0) busy.push_back({worker.results_fd, POLLIN, 0});
    }
    if (poll(busy.data(), busy.size(), -1) < 0) continue;  // EINTR: look again
    for (Worker& worker : pool) {
      if (worker.task < 0) continue;
      bool ready = false;
      for (const pollfd& entry : busy) ready |= entry.fd == worker.results_fd && entry.revents != 0;
      if (!ready) continue;
      int64_t result = 0;
      if (ReadNumber(worker.results_fd, &result)) {
        outcomes[worker.task] = std::to_string(result);
      } else {  // it died mid-task: that task fails, and a new worker takes its place
        close(worker.tasks_fd);
        close(worker.results_fd);
        outcomes[worker.task] = "failed: " + HowItEnded(worker.pid);
        std::vector<Worker> others;
        for (const Worker& other : pool) {
          if (other.pid != worker.pid) others.push_back(other);
        }
        worker = StartWorker(others);
      }
      worker.task = -1;
      ++finished;
    }
  }

  // End of file on every tasks pipe ends the workers; then collect each one.
  for (const Worker& worker : pool) {
    close(worker.tasks_fd);
    close(worker.results_fd);
  }
  for (const Worker& worker : pool) {
    while (waitpid(worker.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  for (int i = 0; i < tasks; ++i) std::printf("task %d: %s\n", i + 1, outcomes[i].c_str());
  std::printf("done\n");
  return 0;
}
