#include "pool/remote/loopback_host.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/random_hex.h"
#include "base/status_macros.h"
#include "base/unique_fd.h"

namespace mp::remote {
namespace {

// The first line the program writes to `fd`, read a byte at a time (so nothing after it
// is taken from the pipe), waiting until `deadline`.
absl::StatusOr<std::string> ReadFirstLine(int fd, absl::Time deadline) {
  std::string line;
  while (true) {
    MP_ASSIGN_OR_RETURN(bool readable, internal::WaitReadable(fd, deadline));
    if (!readable) {
      return absl::DeadlineExceededError("the worker host did not say where it listens in time");
    }
    char byte;
    const ssize_t got = read(fd, &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return absl::ErrnoToStatus(errno, "read from the host's stdout");
    if (got == 0) {
      return absl::UnavailableError(
          absl::StrCat("the worker host ended before it served; it said '", line, "'"));
    }
    if (byte == '\n') return line;
    line.push_back(byte);
  }
}

// This process's environment with `name` set to `value`.
std::vector<std::string> EnvironmentWith(const std::string& name, const std::string& value) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!absl::StartsWith(*entry, name + "=")) environment.push_back(*entry);
  }
  environment.push_back(absl::StrCat(name, "=", value));
  return environment;
}

}  // namespace

const std::string& LoopbackToken() {
  static const std::string* const token = [] {
    absl::StatusOr<std::string> random = internal::RandomHex(16);
    if (!random.ok()) {
      // Without a token no loopback host may start; nothing sensible is left to do.
      std::fprintf(stderr, "LoopbackToken: %s\n", random.status().ToString().c_str());
      std::abort();
    }
    return new std::string(*std::move(random));
  }();
  return *token;
}

absl::StatusOr<LoopbackHost> StartLoopbackHost(const std::string& path,
                                               const std::vector<std::string>& flags) {
  Command command;
  command.argv = {path, "--address=127.0.0.1:0", "--exit_on_stdin_eof"};
  command.argv.insert(command.argv.end(), flags.begin(), flags.end());
  const bool own_token = std::any_of(flags.begin(), flags.end(), [](const std::string& flag) {
    return absl::StartsWith(flag, "--auth_token");
  });
  if (!own_token) command.environment = EnvironmentWith("MP_WORKER_AUTH_TOKEN", LoopbackToken());
  command.standard_input = Redirect::Pipe();
  command.standard_output = Redirect::Pipe();
  MP_ASSIGN_OR_RETURN(Subprocess program, Subprocess::Start(command));
  LoopbackHost host{std::make_unique<Subprocess>(std::move(program)), ""};
  MP_ASSIGN_OR_RETURN(std::string line,
                      ReadFirstLine(host.program->stdout_fd(), absl::Now() + absl::Seconds(60)));
  char address[64] = {};
  if (std::sscanf(line.c_str(), "listening on %63s", address) != 1) {
    return absl::InternalError(absl::StrCat("the worker host said '", line,
                                            "' instead of 'listening on ADDRESS'"));
  }
  host.address = address;
  return host;
}

absl::Status StopHost(const LoopbackHost& host) {
  const pid_t pid = host.program->pid();
  if (kill(pid, SIGSTOP) != 0) return absl::ErrnoToStatus(errno, "kill(SIGSTOP) of the host");
  // kill() returns before every thread has stopped; the kernel reports the stop to the
  // parent (us) only once the last one has. WSTOPPED takes that report and nothing else:
  // the exit status stays for whoever waits for it later.
  siginfo_t info = {};
  while (waitid(P_PID, static_cast<id_t>(pid), &info, WSTOPPED) != 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "waitid(WSTOPPED) for the host");
  }
  return absl::OkStatus();
}

}  // namespace mp::remote
