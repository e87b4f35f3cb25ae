#include "process/testing/spawned_program.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/cpp/runfiles/runfiles.h"

extern char** environ;

namespace mp::test {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

void CloseIfOpen(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Milliseconds until `deadline` for poll(2): never negative, rounded up.
int PollTimeoutMs(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(absl::ToInt64Milliseconds(left + absl::Milliseconds(1)));
}

}  // namespace

std::string Runfile(const std::string& path_in_repository) {
  static Runfiles* runfiles = [] {
    std::string error;
    Runfiles* found = Runfiles::CreateForTest(&error);
    if (found == nullptr) {
      std::fprintf(stderr, "cannot find Bazel runfiles: %s\n", error.c_str());
      std::abort();
    }
    return found;
  }();
  return runfiles->Rlocation("mp_course/" + path_in_repository);
}

int DecodeWaitStatus(int wait_status) {
  if (WIFSIGNALED(wait_status)) return -WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

absl::StatusOr<SpawnedProgram> SpawnedProgram::Start(const std::string& path,
                                                     const std::vector<std::string>& args) {
  if (access(path.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("no executable program at ", path));
  }
  // [0] is the read end, [1] the write end; close-on-exec so only dup2'd copies survive.
  int to_child[2];
  int from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    const int error = errno;
    close(to_child[0]);
    close(to_child[1]);
    return absl::ErrnoToStatus(error, "pipe2");
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);

  std::vector<std::string> argv_strings = {path};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int error = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(from_child[1]);
  if (error != 0) {
    close(to_child[1]);
    close(from_child[0]);
    return absl::ErrnoToStatus(error, absl::StrCat("posix_spawn ", path));
  }
  return SpawnedProgram(pid, to_child[1], from_child[0]);
}

SpawnedProgram::SpawnedProgram(SpawnedProgram&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdin_fd_(std::exchange(other.stdin_fd_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      buffered_(std::move(other.buffered_)) {}

SpawnedProgram::~SpawnedProgram() {
  CloseIfOpen(stdin_fd_);
  CloseIfOpen(stdout_fd_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

absl::StatusOr<bool> SpawnedProgram::ReadMore(absl::Time deadline) {
  if (stdout_fd_ < 0) return false;
  pollfd readable = {stdout_fd_, POLLIN, 0};
  const int ready = poll(&readable, 1, PollTimeoutMs(deadline));
  if (ready < 0) {
    if (errno == EINTR) return true;
    return absl::ErrnoToStatus(errno, "poll");
  }
  if (ready == 0) return absl::DeadlineExceededError("the program printed nothing more in time");
  char chunk[4096];
  const ssize_t n = read(stdout_fd_, chunk, sizeof(chunk));
  if (n < 0) {
    if (errno == EINTR) return true;
    return absl::ErrnoToStatus(errno, "read");
  }
  if (n == 0) {
    CloseIfOpen(stdout_fd_);
    return false;
  }
  buffered_.append(chunk, static_cast<size_t>(n));
  return true;
}

absl::StatusOr<std::string> SpawnedProgram::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const size_t newline = buffered_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      return line;
    }
    absl::StatusOr<bool> more = ReadMore(deadline);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OutOfRangeError("the program closed its stdout");
  }
}

absl::StatusOr<std::string> SpawnedProgram::ReadAll(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<bool> more = ReadMore(deadline);
    if (!more.ok()) return more.status();
    if (!*more) return std::exchange(buffered_, "");
  }
}

void SpawnedProgram::CloseStdin() { CloseIfOpen(stdin_fd_); }

absl::StatusOr<int> SpawnedProgram::Wait(absl::Duration timeout) {
  if (pid_ < 0) return absl::FailedPreconditionError("the program was already reaped");
  // A child's end cannot be polled for without a pidfd or SIGCHLD handler, so poll its
  // status with a short back-off; the deadline bounds the wait.
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Microseconds(100);
  while (true) {
    int status;
    const pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      pid_ = -1;
      return DecodeWaitStatus(status);
    }
    if (reaped < 0 && errno != EINTR) return absl::ErrnoToStatus(errno, "waitpid");
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("pid ", pid_, " is still running"));
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(20));
  }
}

absl::StatusOr<ProgramOutput> RunProgram(const std::string& path,
                                         const std::vector<std::string>& args,
                                         absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<SpawnedProgram> program = SpawnedProgram::Start(path, args);
  if (!program.ok()) return program.status();
  program->CloseStdin();
  ProgramOutput output;
  absl::StatusOr<std::string> text = program->ReadAll(deadline - absl::Now());
  if (!text.ok()) return text.status();
  output.stdout_text = *std::move(text);
  absl::StatusOr<int> exit_code = program->Wait(deadline - absl::Now());
  if (!exit_code.ok()) return exit_code.status();
  output.exit_code = *exit_code;
  return output;
}

}  // namespace mp::test
