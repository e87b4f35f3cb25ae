#include "process/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/deadline.h"
#include "base/status_macros.h"
#include "base/unique_fd.h"
#include "process/internal/child_handle.h"

extern char** environ;

namespace mp {
namespace {

using internal::UniqueFd;

// posix_spawn's two option objects, destroyed on every path.
class SpawnOptions {
 public:
  SpawnOptions() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attributes_);
  }
  ~SpawnOptions() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attributes_);
  }
  SpawnOptions(const SpawnOptions&) = delete;
  SpawnOptions& operator=(const SpawnOptions&) = delete;

  posix_spawn_file_actions_t* actions() { return &actions_; }
  posix_spawnattr_t* attributes() { return &attributes_; }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
};

// Moves `fd` to a number above 2, so that installing one stream in the child can
// never overwrite the source of another.
absl::StatusOr<UniqueFd> AboveStandardStreams(UniqueFd fd) {
  if (fd.get() > 2) return fd;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return absl::ErrnoToStatus(errno, "fcntl(F_DUPFD_CLOEXEC)");
  return UniqueFd(moved);
}

const char* StreamName(int target_fd) {
  static constexpr const char* kNames[] = {"stdin", "stdout", "stderr"};
  return kNames[target_fd];
}

// Prepares one standard stream of the child. Returns our end of the pipe, if the
// stream is piped. `keep_alive` holds descriptors posix_spawn() still has to copy.
absl::StatusOr<UniqueFd> PlanStream(const Redirect& redirect, int target_fd,
                                    SpawnOptions& options,
                                    std::vector<UniqueFd>& keep_alive) {
  UniqueFd child_end;
  UniqueFd parent_end;
  switch (redirect.kind()) {
    case Redirect::Kind::kInherit:
      return UniqueFd();
    case Redirect::Kind::kToStdout:
      if (target_fd != STDERR_FILENO) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Redirect::ToStdout() is for stderr only, not ", StreamName(target_fd)));
      }
      posix_spawn_file_actions_adddup2(options.actions(), STDOUT_FILENO, STDERR_FILENO);
      return UniqueFd();
    case Redirect::Kind::kPipe: {
      MP_ASSIGN_OR_RETURN(internal::Pipe pipe, internal::MakePipe());
      const bool child_reads = target_fd == STDIN_FILENO;
      child_end = std::move(child_reads ? pipe.read_end : pipe.write_end);
      parent_end = std::move(child_reads ? pipe.write_end : pipe.read_end);
      break;
    }
    case Redirect::Kind::kDescriptor: {
      // Our own copy, so that the caller's descriptor is never moved or closed by us.
      child_end.Reset(::fcntl(redirect.fd(), F_DUPFD_CLOEXEC, 3));
      if (!child_end.valid()) {
        return absl::ErrnoToStatus(
            errno, absl::StrCat("descriptor ", redirect.fd(), " for ", StreamName(target_fd)));
      }
      break;
    }
    case Redirect::Kind::kFile:
    case Redirect::Kind::kNull: {
      const bool is_null = redirect.kind() == Redirect::Kind::kNull;
      const std::string path = is_null ? "/dev/null" : redirect.path();
      const int flags = target_fd == STDIN_FILENO ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC;
      child_end.Reset(::open(path.c_str(), flags | O_CLOEXEC, 0644));
      if (!child_end.valid()) {
        return absl::ErrnoToStatus(
            errno, absl::StrCat("open '", path, "' for ", StreamName(target_fd)));
      }
      break;
    }
  }
  MP_ASSIGN_OR_RETURN(child_end, AboveStandardStreams(std::move(child_end)));
  posix_spawn_file_actions_adddup2(options.actions(), child_end.get(), target_fd);
  keep_alive.push_back(std::move(child_end));
  return parent_end;
}

std::vector<char*> NullTerminated(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

absl::Status SpawnError(int error, const std::string& program) {
  const bool searched_path = program.find('/') == std::string::npos;
  if (error == ENOENT) {
    return absl::NotFoundError(absl::StrCat("cannot run '", program, "': no such file",
                                            searched_path ? " in PATH" : ""));
  }
  if (error == EACCES) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot run '", program, "': permission denied (is it an executable file?)"));
  }
  return absl::ErrnoToStatus(error, absl::StrCat("posix_spawn '", program, "'"));
}

// Appends what `fd` has to `text`; closes `fd` at end of file.
absl::Status ReadAvailable(UniqueFd& fd, std::string& text) {
  char buffer[16384];
  const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
  if (got > 0) {
    text.append(buffer, static_cast<size_t>(got));
  } else if (got == 0) {
    fd.Reset();
  } else if (errno != EINTR && errno != EAGAIN) {
    return absl::ErrnoToStatus(errno, "read from child");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Subprocess> Subprocess::Start(const Command& command) {
  if (command.argv.empty()) {
    return absl::InvalidArgumentError(
        "Command.argv is empty: argv[0] must name the program to run");
  }
  const std::string& program = command.argv[0];
  SpawnOptions options;
  std::vector<UniqueFd> child_ends;
  MP_ASSIGN_OR_RETURN(UniqueFd stdin_fd,
                      PlanStream(command.standard_input, STDIN_FILENO, options, child_ends));
  MP_ASSIGN_OR_RETURN(UniqueFd stdout_fd, PlanStream(command.standard_output, STDOUT_FILENO,
                                                     options, child_ends));
  MP_ASSIGN_OR_RETURN(UniqueFd stderr_fd, PlanStream(command.standard_error, STDERR_FILENO,
                                                     options, child_ends));
  // Like Python's close_fds=True: the program gets its three streams and nothing else.
  posix_spawn_file_actions_addclosefrom_np(options.actions(), 3);

  if (!command.working_directory.empty()) {
    // Checked here because posix_spawn() would report a missing directory as ENOENT,
    // indistinguishable from a missing program.
    struct stat info;
    if (::stat(command.working_directory.c_str(), &info) != 0) {
      return absl::ErrnoToStatus(
          errno, absl::StrCat("working directory '", command.working_directory, "'"));
    }
    if (!S_ISDIR(info.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "working directory '", command.working_directory, "' is not a directory"));
    }
    posix_spawn_file_actions_addchdir_np(options.actions(),
                                         command.working_directory.c_str());
  }

  // The program starts with no signals blocked and SIGPIPE at its default, whatever
  // this process does with them (Python's restore_signals=True).
  sigset_t empty_mask;
  sigset_t default_signals;
  sigemptyset(&empty_mask);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigmask(options.attributes(), &empty_mask);
  posix_spawnattr_setsigdefault(options.attributes(), &default_signals);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (command.new_session) flags |= POSIX_SPAWN_SETSID;
  posix_spawnattr_setflags(options.attributes(), flags);

  std::vector<char*> argv = NullTerminated(command.argv);
  std::vector<char*> envp;
  if (command.environment.has_value()) envp = NullTerminated(*command.environment);
  pid_t pid = 0;
  const int error =
      ::posix_spawnp(&pid, program.c_str(), options.actions(), options.attributes(),
                     argv.data(), command.environment.has_value() ? envp.data() : environ);
  if (error != 0) return SpawnError(error, program);
  if (stdin_fd.valid()) ::fcntl(stdin_fd.get(), F_SETFL, O_NONBLOCK);
  return Subprocess(std::make_unique<internal::DirectChild>(pid), std::move(stdin_fd),
                    std::move(stdout_fd), std::move(stderr_fd));
}

absl::StatusOr<CompletedProgram> Subprocess::Communicate(std::string_view input,
                                                         absl::Duration timeout) {
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Communicate()"));
  if (!input.empty() && !stdin_.valid()) {
    return absl::InvalidArgumentError(
        "Communicate() got input, but the program's stdin is not Redirect::Pipe()");
  }
  const absl::Time deadline = absl::Now() + timeout;
  CompletedProgram result;
  if (input.empty()) CloseStdin();
  while (stdin_.valid() || stdout_.valid() || stderr_.valid()) {
    pollfd entries[3];
    UniqueFd* owners[3];
    int count = 0;
    if (stdin_.valid()) {
      entries[count] = {stdin_.get(), POLLOUT, 0};
      owners[count++] = &stdin_;
    }
    for (UniqueFd* output : {&stdout_, &stderr_}) {
      if (!output->valid()) continue;
      entries[count] = {output->get(), POLLIN, 0};
      owners[count++] = output;
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "program ", pid(), " still had output open after ", absl::FormatDuration(timeout)));
    }
    if (::poll(entries, count, internal::PollTimeoutMs(deadline)) < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "poll");
    }
    for (int i = 0; i < count; ++i) {
      if (entries[i].revents == 0) continue;
      if (owners[i] == &stdin_) {
        const ssize_t written = internal::WriteWithoutSigpipe(stdin_.get(), input);
        if (written >= 0) input.remove_prefix(static_cast<size_t>(written));
        // EPIPE: the program stopped reading; like Python, that is not an error.
        if (input.empty() || (written < 0 && errno != EAGAIN && errno != EINTR)) {
          CloseStdin();
        }
      } else {
        MP_RETURN_IF_ERROR(ReadAvailable(
            *owners[i], owners[i] == &stdout_ ? result.stdout_text : result.stderr_text));
      }
    }
  }
  MP_ASSIGN_OR_RETURN(std::optional<int> exit_code, child_->WaitUntil(deadline));
  if (!exit_code.has_value()) {
    return absl::DeadlineExceededError(absl::StrCat(
        "program ", pid(), " still running after ", absl::FormatDuration(timeout)));
  }
  result.exit_code = *exit_code;
  return result;
}

absl::StatusOr<int> Subprocess::Wait(absl::Duration timeout) {
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Wait()"));
  MP_ASSIGN_OR_RETURN(std::optional<int> exit_code,
                      child_->WaitUntil(absl::Now() + timeout));
  if (!exit_code.has_value()) {
    return absl::DeadlineExceededError(absl::StrCat(
        "program ", pid(), " still running after ", absl::FormatDuration(timeout)));
  }
  return *exit_code;
}

absl::Status Subprocess::Terminate() { return child_->Signal(SIGTERM); }
absl::Status Subprocess::Kill() { return child_->Signal(SIGKILL); }

absl::StatusOr<CompletedProgram> RunProgram(const Command& command, absl::Duration timeout,
                                            std::string_view input) {
  MP_ASSIGN_OR_RETURN(Subprocess program, Subprocess::Start(command));
  // On error the Subprocess goes out of scope, which kills and reaps the program.
  return program.Communicate(input, timeout);
}

}  // namespace mp
