#include "exercises/grading/run_program.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"
#include "exercises/grading/attributed_output.h"
#include "exercises/grading/hang_report.h"
#include "process/subprocess.h"

namespace mp::grading {

absl::StatusOr<AttributedSocket> MakeAttributedSocket() {
  int sockets[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    return absl::ErrnoToStatus(errno, "socketpair");
  }
  AttributedSocket socket{internal::UniqueFd(sockets[0]), internal::UniqueFd(sockets[1])};
  const int on = 1;
  if (setsockopt(socket.reader.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0) {
    return absl::ErrnoToStatus(errno, "setsockopt(SO_PASSCRED)");
  }
  return socket;
}

ssize_t ReadAttributed(int reader, std::vector<Write>& writes) {
  char data[4096];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
  iovec io = {data, sizeof(data)};
  msghdr message = {};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  const ssize_t got = recvmsg(reader, &message, 0);
  if (got <= 0) return got;
  pid_t from = 0;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_CREDENTIALS) {
      ucred credentials;
      std::memcpy(&credentials, CMSG_DATA(header), sizeof(credentials));
      from = credentials.pid;
    }
  }
  if (!writes.empty() && writes.back().writer == from) {
    writes.back().text.append(data, static_cast<size_t>(got));
  } else {
    writes.push_back({from, std::string(data, static_cast<size_t>(got))});
  }
  return got;
}

namespace {

absl::StatusOr<internal::UniqueFd> MakeMemoryFile(const char* name) {
  internal::UniqueFd fd(memfd_create(name, MFD_CLOEXEC));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "memfd_create");
  return fd;
}

std::string ReadWholeFile(int fd) {
  std::string text;
  char buffer[4096];
  off_t offset = 0;
  for (ssize_t got; (got = pread(fd, buffer, sizeof buffer, offset)) > 0; offset += got) {
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

// Fields 14-17 of /proc/<pid>/stat: utime, stime, cutime, cstime, in clock ticks. For a
// zombie they are final: its own threads' time, and its reaped children's.
absl::Status ReadCpuSplit(pid_t pid, MeasuredRun& measured) {
  internal::UniqueFd stat(open(absl::StrCat("/proc/", pid, "/stat").c_str(), O_RDONLY | O_CLOEXEC));
  if (!stat.valid()) return absl::ErrnoToStatus(errno, "open /proc/<pid>/stat");
  const std::string text = ReadWholeFile(stat.get());
  const size_t name_end = text.rfind(')');  // the command name may hold spaces
  if (name_end == std::string::npos) return absl::DataLossError("unreadable /proc/<pid>/stat");
  // After ") " come field 3 (state) onwards: utime is field 14, so index 11 here.
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(text).substr(name_end + 2), ' ');
  int64_t ticks[4] = {};
  for (int i = 0; i < 4; ++i) {
    if (fields.size() < 15 || !absl::SimpleAtoi(fields[11 + i], &ticks[i])) {
      return absl::DataLossError("unreadable /proc/<pid>/stat");
    }
  }
  const double tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  measured.own_cpu_seconds = static_cast<double>(ticks[0] + ticks[1]) * tick;
  measured.children_cpu_seconds = static_cast<double>(ticks[2] + ticks[3]) * tick;
  return absl::OkStatus();
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
  timeout = WithinTestTimeout(timeout);
  absl::StatusOr<Subprocess> started = Subprocess::Start(command);
  if (!started.ok()) return started.status();
  // On a timeout the program is described, then killed and reaped by `started`.
  absl::StatusOr<CompletedProgram> done = started->Communicate("", timeout);
  if (done.status().code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::DeadlineExceededError(StillRunning(started->pid(), timeout));
  }
  if (!done.ok()) return done.status();
  return ProgramRun{done->exit_code, done->stdout_text, done->stderr_text};
}

absl::StatusOr<MeasuredRun> RunMeasuringCpu(const std::string& program,
                                            const std::vector<std::string>& args,
                                            absl::Duration timeout) {
  // Output goes to memory files, not pipes: nobody has to read while the program runs.
  absl::StatusOr<internal::UniqueFd> out = MakeMemoryFile("stdout");
  if (!out.ok()) return out.status();
  absl::StatusOr<internal::UniqueFd> err = MakeMemoryFile("stderr");
  if (!err.ok()) return err.status();
  Command command;
  command.argv = {program};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.standard_input = Redirect::Null();
  command.standard_output = Redirect::Descriptor(out->get());
  command.standard_error = Redirect::Descriptor(err->get());

  timeout = WithinTestTimeout(timeout);
  const absl::Time start = absl::Now();
  absl::StatusOr<Subprocess> started = Subprocess::Start(command);
  if (!started.ok()) return started.status();
  internal::UniqueFd ended = internal::OpenPidfd(started->pid());
  if (!ended.valid()) return absl::ErrnoToStatus(errno, "pidfd_open");
  absl::StatusOr<bool> exited = internal::WaitReadable(ended.get(), start + timeout);
  if (!exited.ok()) return exited.status();
  if (!*exited) {  // `started` kills and reaps it
    return absl::DeadlineExceededError(StillRunning(started->pid(), timeout));
  }
  MeasuredRun measured;
  measured.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  siginfo_t info = {};
  // WNOWAIT: look at the zombie without reaping it, so its /proc entry stays.
  if (waitid(P_PID, static_cast<id_t>(started->pid()), &info, WEXITED | WNOWAIT) != 0) {
    return absl::ErrnoToStatus(errno, "waitid");
  }
  absl::Status split = ReadCpuSplit(started->pid(), measured);
  absl::StatusOr<int> exit_code = started->Wait();
  if (!exit_code.ok()) return exit_code.status();
  if (!split.ok()) return split;
  measured.run = {*exit_code, ReadWholeFile(out->get()), ReadWholeFile(err->get())};
  return measured;
}

absl::StatusOr<AttributedRun> RunAttributingOutput(const std::string& program,
                                                   const std::vector<std::string>& args,
                                                   absl::Duration timeout) {
  absl::StatusOr<AttributedSocket> socket = MakeAttributedSocket();
  if (!socket.ok()) return socket.status();
  internal::UniqueFd& reader = socket->reader;
  internal::UniqueFd& writer = socket->writer;

  timeout = WithinTestTimeout(timeout);
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
  while (absl::Now() < deadline) {
    pollfd ready = {reader.get(), POLLIN, 0};
    const int left_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1;
    if (poll(&ready, 1, left_ms) <= 0) continue;
    const ssize_t got = ReadAttributed(reader.get(), run.writes);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // end of file: every writer closed its stdout
  }
  // A program still running here is killed and reaped when `started` goes out of scope.
  absl::StatusOr<int> exit_code = started->Wait(std::max(deadline - absl::Now(), absl::ZeroDuration()));
  if (!exit_code.ok()) {
    if (exit_code.status().code() == absl::StatusCode::kDeadlineExceeded) {
      return absl::DeadlineExceededError(StillRunning(started->pid(), timeout));
    }
    return exit_code.status();
  }
  run.exit_code = *exit_code;
  return run;
}

}  // namespace mp::grading
