#include "process/internal/fork_server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "base/unique_fd.h"
#include "process/exit_code.h"
#include "process/internal/child_handle.h"
#include "process/internal/per_process.h"
#include "process/internal/spawn_self.h"
#include "process/internal/task_message.h"

namespace mp::internal {
namespace {

// The descriptor a forked child must close; -1 when no server runs.
std::atomic<int> connection_fd_to_close_in_child{-1};

// Sends `value` with `fd_to_pass` (if >= 0) attached.
absl::Status SendWithFd(int socket, int32_t value, int fd_to_pass) {
  iovec payload{&value, sizeof value};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &payload;
  message.msg_iovlen = 1;
  if (fd_to_pass >= 0) {
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd_to_pass, sizeof(int));
  }
  while (::sendmsg(socket, &message, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "sendmsg to fork server");
  }
  return absl::OkStatus();
}

struct Received {
  int32_t value = 0;
  UniqueFd fd;  // invalid if none was attached
};

// Receives one message; nullopt at end of file.
absl::StatusOr<std::optional<Received>> ReceiveWithFd(int socket) {
  Received received;
  iovec payload{&received.value, sizeof received.value};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &payload;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t got;
  while ((got = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "recvmsg from fork server");
  }
  if (got == 0) return std::nullopt;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
      received.fd.Reset(fd);
    }
  }
  return received;
}

// A child of the fork server, watched through the pipe on which the server reports
// its exit code, and through a pidfd of its own: if the server dies first, the pipe
// ends with no report, and the pidfd still says when the child itself has ended (its
// exit code is then lost with its parent: kExitCodeUnknownToForkServer).
class ForkServerChild final : public ChildHandle {
 public:
  ForkServerChild(pid_t pid, UniqueFd exit_code_pipe)
      : pid_(pid),
        exit_code_pipe_(std::move(exit_code_pipe)),
        // Fails (ESRCH) if the child has ended and been reaped already: then the server
        // has reported, or is about to report, its exit code on the pipe.
        pidfd_(OpenPidfd(pid)) {}

  ~ForkServerChild() override {
    MutexLock lock(mutex_);
    if (exit_code_.has_value()) return;
    ::kill(pid_, SIGKILL);
    (void)ReadExitCodeLocked();  // blocks until the server reaps it, or dies
  }

  pid_t pid() const override { return pid_; }

  // The child's pidfd, readable once it has ended, reaped by the server or not. Where the
  // child had ended before we could open one: the pipe the server reports on, readable
  // from the report on, and for good once ReadExitCodeLocked() has seen the server close
  // its end after the report.
  int sentinel() const override { return pidfd_.valid() ? pidfd_.get() : exit_code_pipe_.get(); }

  absl::StatusOr<std::optional<int>> WaitUntil(absl::Time deadline) override {
    {
      MutexLock lock(mutex_);
      if (exit_code_.has_value()) return exit_code_;
    }
    MP_ASSIGN_OR_RETURN(bool reported, WaitReadable(exit_code_pipe_.get(), deadline));
    if (!reported) return std::nullopt;
    MutexLock lock(mutex_);
    if (exit_code_.has_value()) return exit_code_;
    if (ReadExitCodeLocked().ok()) return exit_code_;
    // The server died without reporting. Say the child has ended only once it has.
    if (pidfd_.valid()) {
      MP_ASSIGN_OR_RETURN(bool ended, WaitReadable(pidfd_.get(), deadline));
      if (!ended) return std::nullopt;
    }
    exit_code_ = kExitCodeUnknownToForkServer;
    return exit_code_;
  }

  // The server may reap the child just before the signal is sent; then the signal
  // goes to a finished pid. (Python's forkserver has the same window.)
  absl::Status Signal(int signal_number) override {
    MutexLock lock(mutex_);
    if (exit_code_.has_value()) return absl::OkStatus();
    if (::kill(pid_, signal_number) != 0 && errno != ESRCH) {
      return absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid_));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ReadExitCodeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    int32_t code = 0;
    ssize_t got;
    while ((got = ::read(exit_code_pipe_.get(), &code, sizeof code)) < 0 && errno == EINTR) {
    }
    if (got != sizeof code) {
      return absl::UnavailableError(absl::StrCat(
          "the fork server ended before reporting how child ", pid_,
          " ended: do not shut it down while its children run"));
    }
    exit_code_ = code;
    // The server closes its end right after the report: wait for that end of file, so
    // that from here on the pipe reads as ready (the sentinel promises it stays so).
    char more;
    while (::read(exit_code_pipe_.get(), &more, 1) < 0 && errno == EINTR) {
    }
    return absl::OkStatus();
  }

  const pid_t pid_;
  const UniqueFd exit_code_pipe_;
  const UniqueFd pidfd_;  // invalid if the child was gone already when we looked
  Mutex mutex_;
  std::optional<int> exit_code_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace

ForkServer& ForkServer::OfThisProcess() { return PerProcess<ForkServer>(); }

absl::Status ForkServer::EnsureRunningLocked() {
  // A server that died since the last request is replaced before this one is sent, as
  // Python's forkserver does: the caller never sees its death.
  if (connection_.valid() && server_ != nullptr) {
    absl::StatusOr<std::optional<int>> ended = server_->WaitUntil(absl::InfinitePast());
    if (!ended.ok() || ended->has_value()) StopLocked();
  }
  if (connection_.valid()) return absl::OkStatus();
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) != 0) {
    return absl::ErrnoToStatus(errno, "socketpair");
  }
  UniqueFd ours(sockets[0]);
  UniqueFd servers(sockets[1]);
  MP_ASSIGN_OR_RETURN(pid_t pid, SpawnSelf(kForkServerRole, servers.get()));
  server_ = std::make_unique<DirectChild>(pid);
  connection_ = std::move(ours);
  connection_fd_to_close_in_child.store(connection_.get());
  return absl::OkStatus();
}

void ForkServer::StopLocked() {
  connection_fd_to_close_in_child.store(-1);
  connection_.Reset();  // the server reads end of file and exits
  if (server_ != nullptr) {
    (void)server_->WaitUntil(absl::Now() + absl::Seconds(10));
    server_.reset();  // kills it if it has not exited, and reaps it
  }
}

absl::StatusOr<std::unique_ptr<ChildHandle>> ForkServer::StartChild(
    const TaskMessage& message) {
  MP_ASSIGN_OR_RETURN(UniqueFd message_file, WriteTaskMessage(message));
  MutexLock lock(mutex_);
  MP_RETURN_IF_ERROR(EnsureRunningLocked());
  absl::Status sent = SendWithFd(connection_.get(), 0, message_file.get());
  if (!sent.ok()) {
    // Not sent, so nothing was forked: a server that died just now is replaced, and the
    // request goes to the new one.
    StopLocked();
    MP_RETURN_IF_ERROR(EnsureRunningLocked());
    sent = SendWithFd(connection_.get(), 0, message_file.get());
  }
  absl::StatusOr<std::optional<Received>> reply =
      sent.ok() ? ReceiveWithFd(connection_.get()) : std::move(sent);
  if (reply.ok() && !reply->has_value()) {
    reply = absl::UnavailableError("it closed the connection");
  }
  if (!reply.ok()) {
    StopLocked();
    return absl::UnavailableError(absl::StrCat("the fork server died (",
                                               reply.status().message(),
                                               "); the next start will start a new one"));
  }
  Received& answer = **reply;
  if (answer.value < 0) {
    return absl::ErrnoToStatus(-answer.value, "fork, in the fork server");
  }
  return std::make_unique<ForkServerChild>(answer.value, std::move(answer.fd));
}

absl::Status ForkServer::Start() {
  MutexLock lock(mutex_);
  return EnsureRunningLocked();
}

absl::Status ForkServer::Shutdown() {
  MutexLock lock(mutex_);
  StopLocked();
  return absl::OkStatus();
}

void ForkServer::CloseInheritedConnection() {
  const int fd = connection_fd_to_close_in_child.load();
  if (fd >= 0) ::close(fd);
}

namespace {

// Forked by the server: becomes the child described by `message_file`.
[[noreturn]] void RunForkedChild(int message_file, pid_t server_pid) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  // Keep only stdin, stdout, stderr and the message: the server's socket and the
  // other children's exit-code pipes are not this child's business.
  ::dup2(message_file, kChannelFd);
  ::closefrom(kChannelFd + 1);
  RunTaskMessageAndExit(kChannelFd, server_pid);
}

// Reaps every finished child and reports its exit code on its pipe.
void ReapChildren(std::map<pid_t, UniqueFd>& exit_code_pipes) {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    auto entry = exit_code_pipes.find(pid);
    if (entry == exit_code_pipes.end()) continue;
    const int32_t code = ExitCodeFromWaitStatus(status);
    // The parent may be gone (EPIPE, with SIGPIPE ignored): nothing more to do.
    (void)WriteAll(entry->second.get(),
                   std::string_view(reinterpret_cast<const char*>(&code), sizeof code));
    exit_code_pipes.erase(entry);
  }
}

// Forks one child; returns its pid or -errno, and the read end of its exit-code pipe.
int32_t ForkChild(int message_file, std::map<pid_t, UniqueFd>& exit_code_pipes,
                  UniqueFd& exit_code_reader) {
  absl::StatusOr<Pipe> pipe = MakePipe();
  if (!pipe.ok()) return -EMFILE;
  const pid_t server_pid = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return -errno;
  if (pid == 0) RunForkedChild(message_file, server_pid);
  exit_code_pipes[pid] = std::move(pipe->write_end);
  exit_code_reader = std::move(pipe->read_end);
  return pid;
}

}  // namespace

void ServeForksAndExit(int connection_fd) {
  // A parent that went away must not kill the server through a write to its pipe.
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t child_signals;
  sigemptyset(&child_signals);
  sigaddset(&child_signals, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &child_signals, nullptr);
  const UniqueFd child_ended(::signalfd(-1, &child_signals, SFD_CLOEXEC));
  std::map<pid_t, UniqueFd> exit_code_pipes;

  while (true) {
    pollfd watched[2] = {{connection_fd, POLLIN, 0}, {child_ended.get(), POLLIN, 0}};
    if (::poll(watched, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (watched[1].revents != 0) {
      signalfd_siginfo drained[8];
      // Only to empty the descriptor: waitpid() below finds every finished child.
      if (::read(child_ended.get(), drained, sizeof drained) < 0) {
        // A spurious wake-up: nothing was queued.
      }
      ReapChildren(exit_code_pipes);
    }
    if (watched[0].revents == 0) continue;
    absl::StatusOr<std::optional<Received>> request = ReceiveWithFd(connection_fd);
    if (!request.ok() || !request->has_value()) break;  // the parent is gone
    UniqueFd exit_code_reader;
    const int32_t pid = (*request)->fd.valid()
                            ? ForkChild((*request)->fd.get(), exit_code_pipes, exit_code_reader)
                            : -EINVAL;
    if (!SendWithFd(connection_fd, pid, exit_code_reader.get()).ok()) break;
  }
  // Daemon children die with us (their parent-death signal); others carry on.
  ::_exit(0);
}

}  // namespace mp::internal
