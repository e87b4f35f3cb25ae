// main() of a worker host: serves the pool tasks linked into this program to RemotePools.
//
//   bazel run //pool/remote:worker -- --workers=4                       # 127.0.0.1:7070
//   bazel run //pool/remote:worker -- --address=0.0.0.0:7070 --auth_token=$TOKEN
//
// To serve your own tasks, build a binary from this main and the library that registers
// them:  cc_binary(name = "my_worker", deps = ["//pool/remote:worker_main", ":my_tasks"])
//
// It prints "listening on ADDRESS" once it serves (with the port the kernel chose for
// port 0), then serves until killed, or, with --exit_on_stdin_eof, until its stdin ends
// (so that a test's or a parent's host never outlives it).

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "pool/remote/worker_host.h"
#include "process/cli/parse_flags.h"
#include "process/hand_off.h"

ABSL_FLAG(std::string, address, "127.0.0.1:7070",
          "host:port to listen on (port 0: any free port). Anything but loopback needs "
          "--auth_token.");
ABSL_FLAG(int, workers, 0, "worker processes (0: one per CPU)");
ABSL_FLAG(std::string, auth_token, "",
          "calls must carry this token; required unless listening on loopback only");
ABSL_FLAG(int64_t, max_message_bytes, int64_t{64} << 20,
          "largest request or reply, in bytes; larger requests are refused "
          "(RESOURCE_EXHAUSTED)");
ABSL_FLAG(int64_t, max_tasks_per_chunk, 1'000'000, "largest chunk a request may carry");
ABSL_FLAG(bool, exit_on_stdin_eof, false, "exit when stdin reaches end of file");

namespace {

bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:") || absl::StartsWith(address, "unix:") ||
         absl::StartsWith(address, "unix-abstract:");
}

void WaitForEndOfStdin() {
  char buffer[256];
  while (true) {
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv,
                      "Serves this program's pool tasks to RemotePools on other machines.");
  const std::string address = absl::GetFlag(FLAGS_address);
  const std::string token = absl::GetFlag(FLAGS_auth_token);
  if (token.empty() && !IsLoopback(address)) {
    mp::cli::ExitBadUsage(absl::StrCat("--address=", address, " is reachable from other machines: "
                                       "set --auth_token, or listen on 127.0.0.1"));
  }
  if (absl::GetFlag(FLAGS_workers) < 0) mp::cli::ExitBadUsage("--workers must be >= 0");
  const int64_t max_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  if (max_bytes < 1024 || max_bytes > (int64_t{1} << 31) - 1) {
    mp::cli::ExitBadUsage("--max_message_bytes must be between 1024 and 2^31 - 1");
  }
  if (absl::GetFlag(FLAGS_max_tasks_per_chunk) < 1) {
    mp::cli::ExitBadUsage("--max_tasks_per_chunk must be >= 1");
  }

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
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(max_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(max_bytes));
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

  if (absl::GetFlag(FLAGS_exit_on_stdin_eof)) {
    WaitForEndOfStdin();
    server->Shutdown();
    return 0;
  }
  server->Wait();
  return 0;
}
