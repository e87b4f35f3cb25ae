#include "exercises/grading/run_program.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "process/internal/unique_fd.h"
#include "process/subprocess.h"

namespace mp::grading {

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
  internal::UniqueFd reader(sockets[0]);
  internal::UniqueFd writer(sockets[1]);
  const int on = 1;
  setsockopt(reader.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));

  Command command;
  command.argv = {program};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.standard_input = Redirect::Null();
  command.standard_output = Redirect::Descriptor(writer.get());
  absl::StatusOr<Subprocess> started = Subprocess::Start(command);
  if (!started.ok()) return started.status();
  writer.Reset();  // from now on only the program (and its children) hold a write end

  AttributedRun run;
  run.pid = started->pid();
  const absl::Time deadline = absl::Now() + timeout;
  char data[4096];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
  while (absl::Now() < deadline) {
    pollfd ready = {reader.get(), POLLIN, 0};
    const int left_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1;
    if (poll(&ready, 1, left_ms) <= 0) continue;
    iovec io = {data, sizeof(data)};
    msghdr message = {};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    const ssize_t got = recvmsg(reader.get(), &message, 0);
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
  // A program still running here is killed and reaped when `started` goes out of scope.
  absl::StatusOr<int> exit_code = started->Wait(std::max(deadline - absl::Now(), absl::ZeroDuration()));
  if (!exit_code.ok()) {
    if (exit_code.status().code() == absl::StatusCode::kDeadlineExceeded) {
      return absl::DeadlineExceededError(
          absl::StrCat("the program was still running after ", absl::FormatDuration(timeout)));
    }
    return exit_code.status();
  }
  run.exit_code = *exit_code;
  return run;
}

}  // namespace mp::grading
