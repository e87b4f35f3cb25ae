#include "exercises/grading/gated_tasks.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "exercises/grading/proc_view.h"
#include "process/testing/leak_check.h"

namespace mp::grading {

std::string MakeGraderDirectory(const std::string& prefix) {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr ? base : "/tmp", "/", prefix, ".XXXXXX");
  return mkdtemp(pattern.data()) != nullptr ? pattern : "";
}

Gate::Gate(const std::string& dir, int task) {
  const std::string path = task == 0 ? absl::StrCat(dir, "/gate") : absl::StrCat(dir, "/gate.", task);
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ >= 0) flock(fd_, LOCK_EX);
}

void Gate::Open() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

TaskCalls ReadTaskCalls(const std::string& dir, int tasks) {
  TaskCalls calls;
  for (int task = 1; task <= tasks; ++task) {
    pid_t pid = 0;
    if (absl::SimpleAtoi(ReadSmallFile(absl::StrCat(dir, "/start.", task)), &pid)) {
      calls.started[task] = pid;
    }
    if (access(absl::StrCat(dir, "/end.", task).c_str(), F_OK) == 0) calls.ended.insert(task);
  }
  return calls;
}

bool Alive(pid_t pid) {
  const std::optional<char> state = test::ProcessState(pid);
  return state && *state != 'Z';
}

std::vector<pid_t> LiveTree(pid_t program) {
  std::vector<pid_t> tree = {program};
  for (pid_t child : test::ChildrenOf(program)) {
    if (Alive(child)) tree.push_back(child);
  }
  return tree;
}

std::map<int, pid_t> RunningTasks(const TaskCalls& calls) {
  std::map<int, pid_t> running;
  for (const auto& [task, pid] : calls.started) {
    if (!calls.ended.count(task) && Alive(pid)) running[task] = pid;
  }
  return running;
}

void KillAndWaitUntilEnded(pid_t pid) {
  kill(pid, SIGKILL);
  while (Alive(pid)) absl::SleepFor(absl::Milliseconds(1));
}

bool ReadALineInto(test::SpawnedProgram& program, std::string& output, absl::Duration wait) {
  absl::StatusOr<std::string> line = program.ReadLine(wait);
  if (line.ok()) {
    absl::StrAppend(&output, *line, "\n");
    return true;
  }
  if (absl::IsOutOfRange(line.status())) absl::SleepFor(wait);
  return false;
}

void ReapOrphans() {
  while (waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
}

}  // namespace mp::grading
