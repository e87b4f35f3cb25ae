// main() of a worker host: serves the pool tasks linked into this program to RemotePools.
//
//   bazel run //pool/remote:worker -- --address=unix:/tmp/my-host.sock   # no token needed
//   MP_WORKER_AUTH_TOKEN=$TOKEN bazel run //pool/remote:worker -- --workers=4  # 127.0.0.1:7070
//   bazel run //pool/remote:worker -- --address=0.0.0.0:7070 --auth_token_file=token.txt
//       --tls_cert_file=host.pem --tls_key_file=host.key      (one command line)
//
// Who can connect: anyone who can reach the address and has the token. Only a unix:
// socket file (its file permissions decide who connects) may go without a token: every
// local user can reach loopback TCP and abstract unix sockets. With --tls_cert_file and
// --tls_key_file, traffic is encrypted and the pool checks the host's certificate
// (RemotePoolOptions::tls_ca_file); without them, token and tasks cross the network in
// the clear. See pool/remote/README.md, "Security".
//
// To serve your own tasks, build a binary from this main and the library that registers
// them:  cc_binary(name = "my_worker", deps = ["//pool/remote:worker_main", ":my_tasks"])
//
// It prints "listening on ADDRESS" once it serves (with the port the kernel chose for
// port 0), then serves until SIGTERM or SIGINT, or, with --exit_on_stdin_eof, until its
// stdin ends (so that a test's or a parent's host never outlives it). Its workers are
// started by a fork server (a fresh copy of this program), so they do not share our
// signal handlers.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/cli/parse_flags.h"
#include "base/put_bug_back.h"
#include "base/unique_fd.h"
#include "grpcpp/grpcpp.h"
#include "pool/remote/worker_host.h"
#include "process/hand_off.h"

ABSL_FLAG(std::string, address, "127.0.0.1:7070",
          "host:port to listen on (port 0: any free port), or unix:PATH. Anything but a "
          "unix: socket file needs a token.");
ABSL_FLAG(int, workers, 0, "worker processes (0: one per CPU)");
ABSL_FLAG(std::string, auth_token_file, "",
          "a file holding the token calls must carry (one line); or set MP_WORKER_AUTH_TOKEN");
ABSL_FLAG(std::string, auth_token, "",
          "the token itself: discouraged, every local user can read it from ps; use "
          "--auth_token_file or MP_WORKER_AUTH_TOKEN");
ABSL_FLAG(int64_t, max_message_bytes, int64_t{64} << 20,
          "largest request or reply, in bytes; larger requests are refused "
          "(RESOURCE_EXHAUSTED)");
ABSL_FLAG(int64_t, max_tasks_per_chunk, 1'000'000, "largest chunk a request may carry");
ABSL_FLAG(bool, exit_on_stdin_eof, false, "exit when stdin reaches end of file");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate (chain) of this host: serve over TLS (with --tls_key_file)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");

namespace {

constexpr char kTokenVariable[] = "MP_WORKER_AUTH_TOKEN";

// Whether only whom the file system allows can reach `address`: a unix: socket file has
// its file's permissions. Loopback TCP and abstract unix sockets have none: every user
// of the machine reaches them.
bool OnlyPermittedUsersReach(const std::string& address) {
  return absl::StartsWith(address, "unix:") && !absl::StartsWith(address, "unix-abstract:");
}

std::string ReadWholeFile(const std::string& flag, const std::string& path) {
  absl::StatusOr<std::string> contents = mp::internal::ReadWholeFile(mp::cli::UserPath(path));
  if (!contents.ok() || contents->empty()) {
    mp::cli::ExitBadUsage(absl::StrCat("--", flag, "=", path, " cannot be read, or is empty"));
  }
  return *std::move(contents);
}

// TLS credentials from --tls_cert_file and --tls_key_file (both or neither), or
// plaintext ones. Exits 2 on bad usage.
std::shared_ptr<grpc::ServerCredentials> ServerCredentials() {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_tls_key_file);
  if (cert.empty() && key.empty()) return grpc::InsecureServerCredentials();
  if (cert.empty() || key.empty()) {
    mp::cli::ExitBadUsage("--tls_cert_file and --tls_key_file go together: give both or neither");
  }
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back(
      {ReadWholeFile("tls_key_file", key), ReadWholeFile("tls_cert_file", cert)});
  return grpc::SslServerCredentials(options);
}

// The token, from the one place it was given: --auth_token_file, MP_WORKER_AUTH_TOKEN,
// or (with a warning) --auth_token. Empty if none. Exits 2 on bad usage.
std::string ReadToken() {
  const std::string path = absl::GetFlag(FLAGS_auth_token_file);
  const char* variable = std::getenv(kTokenVariable);
  const std::string flag = absl::GetFlag(FLAGS_auth_token);
  const int given = !path.empty() + (variable != nullptr) + !flag.empty();
  if (given > 1) {
    mp::cli::ExitBadUsage(absl::StrCat("give the token one way: --auth_token_file, ", kTokenVariable,
                                       " or --auth_token"));
  }
  if (!flag.empty()) {
    std::fprintf(stderr,
                 "worker: warning: --auth_token shows the token to every local user (ps, "
                 "/proc/PID/cmdline); use --auth_token_file or %s\n",
                 kTokenVariable);
    return flag;
  }
  if (variable != nullptr) {
    if (*variable == '\0') mp::cli::ExitBadUsage(absl::StrCat(kTokenVariable, " is set but empty"));
    return variable;
  }
  if (path.empty()) return "";
  absl::StatusOr<std::string> contents = mp::internal::ReadWholeFile(mp::cli::UserPath(path));
  const std::string token = contents.ok() ? contents->substr(0, contents->find('\n')) : "";
  if (token.empty()) {
    mp::cli::ExitBadUsage(absl::StrCat("--auth_token_file=", path,
                                       " cannot be read, or its first line is empty"));
  }
  return token;
}

// SIGTERM and SIGINT write a byte here (a signal handler may do little else safely);
// main() waits for it, then shuts down in order: the server, then the workers, whose
// shared memory is removed with them.
int stop_pipe[2] = {-1, -1};

void RequestStop(int /*signal*/) {
  const char byte = 0;
  (void)!write(stop_pipe[1], &byte, 1);
}

// Returns once a stop signal came, or stdin ended if `watch_stdin`.
void WaitForStop(bool watch_stdin) {
  pollfd watched[2] = {{.fd = stop_pipe[0], .events = POLLIN, .revents = 0},
                       {.fd = STDIN_FILENO, .events = POLLIN, .revents = 0}};
  char buffer[256];
  while (true) {
    if (poll(watched, watch_stdin ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (watched[0].revents != 0) return;
    if (watched[1].revents != 0 && read(STDIN_FILENO, buffer, sizeof(buffer)) <= 0) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv,
                      "Serves this program's pool tasks to RemotePools on other machines.");
  const std::string address = absl::GetFlag(FLAGS_address);
  if (absl::GetFlag(FLAGS_workers) < 0) mp::cli::ExitBadUsage("--workers must be >= 0");
  const int64_t max_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  if (max_bytes < 1024 || max_bytes > (int64_t{1} << 31) - 1) {
    mp::cli::ExitBadUsage("--max_message_bytes must be between 1024 and 2^31 - 1");
  }
  if (const int64_t chunk = absl::GetFlag(FLAGS_max_tasks_per_chunk); chunk < 1 || chunk > 100'000'000) {
    mp::cli::ExitBadUsage("--max_tasks_per_chunk must be 1 to 100000000");
  }

  const std::string token = ReadToken();
  if (token.empty() && !OnlyPermittedUsersReach(address)) {
    mp::cli::ExitBadUsage(absl::StrCat("--address=", address, " can be reached by other users: give a "
                                       "token (--auth_token_file or ", kTokenVariable,
                                       "), or listen on a unix: socket file"));
  }
  const std::shared_ptr<grpc::ServerCredentials> credentials = ServerCredentials();
  // (Lesson 10's claim 9, counterfactual: no SIGCONT asked for.)
  if (absl::GetFlag(FLAGS_exit_on_stdin_eof) &&
      !mp::internal::BugPutBack("host_without_sigcont_on_parent_death")) {
    // A host that is stopped (SIGSTOP) when its parent dies would wait, stopped, forever:
    // a stopped process acts on no signal but SIGKILL and SIGCONT, and stdin's end of file
    // goes unread. So the kernel sends SIGCONT when the parent dies: the host resumes, acts
    // on any signal that came meanwhile (a Ctrl-C to the job), or sees stdin end, and
    // shuts down in order. To a host that is running, SIGCONT does nothing.
    prctl(PR_SET_PDEATHSIG, SIGCONT);
  }
  if (pipe2(stop_pipe, O_CLOEXEC) != 0) return 1;
  struct sigaction on_stop = {};
  on_stop.sa_handler = RequestStop;
  sigaction(SIGTERM, &on_stop, nullptr);
  sigaction(SIGINT, &on_stop, nullptr);

  absl::StatusOr<std::unique_ptr<mp::remote::WorkerHost>> host = mp::remote::WorkerHost::Create(
      {.workers = absl::GetFlag(FLAGS_workers),
       .auth_token = token,
       .max_tasks_per_chunk = static_cast<uint64_t>(absl::GetFlag(FLAGS_max_tasks_per_chunk))});
  if (!host.ok()) {
    std::fprintf(stderr, "cannot start the workers: %s\n", host.status().ToString().c_str());
    return 1;
  }

  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, credentials, &port);
  // (Lesson 10's claim 3, counterfactual: gRPC's own limits left in place.)
  if (!mp::internal::BugPutBack("host_without_a_message_limit")) {
    builder.SetMaxReceiveMessageSize(static_cast<int>(max_bytes));
    builder.SetMaxSendMessageSize(static_cast<int>(max_bytes));
  }
  builder.RegisterService(host->get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "cannot listen on '%s': give --address as host:port\n", address.c_str());
    return 2;
  }
  if (absl::StartsWith(address, "unix")) {
    std::printf("listening on %s\n", address.c_str());
  } else {
    std::printf("listening on %s:%d\n", address.substr(0, address.rfind(':')).c_str(), port);
  }
  std::fflush(stdout);

  WaitForStop(absl::GetFlag(FLAGS_exit_on_stdin_eof));
  // Calls still running get a second to finish, then are cancelled.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  return 0;
}
