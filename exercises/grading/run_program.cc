#include "exercises/grading/run_program.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "process/subprocess.h"

extern char** environ;

namespace mp::grading {
namespace {

// Reaps `pid`; kills it first if it is still running at `deadline`.
int Reap(pid_t pid, absl::Time deadline) {
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return -1;
    if (absl::Now() >= deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -SIGKILL;
    }
    absl::SleepFor(absl::Milliseconds(1));  // polling a child's exit, not synchronizing
  }
  return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace

absl::StatusOr<ProgramRun> RunWithPipes(const std::string& program,
                                        const std::vector<std::string>& args,
                                        absl::Duration timeout) {
  Command command;
  command.argv = {program};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.standard_input = Redirect::Null();
  command.standard_output = Redirect::Pipe();
  command.standard_error = Redirect::Pipe();
  absl::StatusOr<CompletedProgram> done = RunProgram(command, timeout);
  if (!done.ok()) return done.status();
  return ProgramRun{done->exit_code, done->stdout_text, done->stderr_text};
}

absl::StatusOr<AttributedRun> RunAttributingOutput(const std::string& program,
                                                   const std::vector<std::string>& args,
                                                   absl::Duration timeout) {
  int sockets[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    return absl::ErrnoToStatus(errno, "socketpair");
  }
  const int reader = sockets[0];
  const int writer = sockets[1];
  const int on = 1;
  setsockopt(reader, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));

  std::vector<std::string> argv_storage = {program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, writer, STDOUT_FILENO);  // clears CLOEXEC
  AttributedRun run;
  const int spawned = posix_spawn(&run.pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(writer);
  if (spawned != 0) {
    close(reader);
    return absl::ErrnoToStatus(spawned, "posix_spawn " + program);
  }

  const absl::Time deadline = absl::Now() + timeout;
  char data[4096];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
  while (absl::Now() < deadline) {
    pollfd ready = {reader, POLLIN, 0};
    const int left_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1;
    if (poll(&ready, 1, left_ms) <= 0) continue;
    iovec io = {data, sizeof(data)};
    msghdr message = {};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    const ssize_t got = recvmsg(reader, &message, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // end of file: every writer closed its stdout
    pid_t from = 0;
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_CREDENTIALS) {
        ucred credentials;
        std::memcpy(&credentials, CMSG_DATA(header), sizeof(credentials));
        from = credentials.pid;
      }
    }
    if (!run.writes.empty() && run.writes.back().writer == from) {
      run.writes.back().text.append(data, static_cast<size_t>(got));
    } else {
      run.writes.push_back({from, std::string(data, static_cast<size_t>(got))});
    }
  }
  close(reader);
  run.exit_code = Reap(run.pid, deadline);
  if (absl::Now() >= deadline && run.exit_code == -SIGKILL) {
    return absl::DeadlineExceededError(
        absl::StrCat("the program was still running after ", absl::FormatDuration(timeout)));
  }
  return run;
}

}  // namespace mp::grading
