// A TaskService server in a process of its own: the other half of task_service_test.
//
//   bazel run //ipc:task_service_server -- --address=127.0.0.1:0
//
// It prints "listening on port N" once it serves, then serves until its stdin reaches end
// of file. A parent that keeps the write end of a pipe to our stdin therefore ends us by
// closing it, or by dying: the server never outlives the process that started it.

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "base/cli/parse_flags.h"
#include "grpcpp/grpcpp.h"
#include "ipc/task_service.h"

ABSL_FLAG(std::string, address, "127.0.0.1:0",
          "host:port to listen on; port 0 lets the kernel pick a free one. Loopback only "
          "unless you mean to serve other machines.");

namespace {

// Two small tasks: `reverse` shows that the server, not the transport, did the work.
mp::TaskRegistry BuiltInTasks() {
  mp::TaskRegistry registry;
  (void)registry.Register("echo", [](absl::string_view payload) -> absl::StatusOr<std::string> {
    return std::string(payload);
  });
  (void)registry.Register("reverse", [](absl::string_view payload) -> absl::StatusOr<std::string> {
    return std::string(payload.rbegin(), payload.rend());
  });
  return registry;
}

// Blocks until stdin reaches end of file (or fails).
void WaitForEndOfStdin() {
  char buffer[256];
  while (true) {
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv,
                      "Serves the echo and reverse tasks over gRPC until stdin is closed.");

  const mp::TaskRegistry registry = BuiltInTasks();
  mp::TaskServiceImpl service(&registry);

  // Server start-up: listen (the kernel fills in the port), register, start.
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::GetFlag(FLAGS_address), grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "cannot listen on '%s': give --address as host:port, unix:PATH or unix-abstract:NAME\n",
                 absl::GetFlag(FLAGS_address).c_str());
    return 2;
  }

  // One line, flushed, tells the parent where to connect: the port the kernel chose,
  // or the Unix socket as given.
  const std::string& address = absl::GetFlag(FLAGS_address);
  if (absl::StartsWith(address, "unix")) {
    std::printf("listening on %s\n", address.c_str());
  } else {
    std::printf("listening on port %d\n", port);
  }
  std::fflush(stdout);

  WaitForEndOfStdin();
  // Calls still running get a moment to finish; then they are cancelled. Without a
  // deadline, Shutdown() also lingers on clients that stay connected but idle.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  server.reset();
  // gRPC's library teardown at exit was seen to wait 10 s for a Unix-socket connection
  // that a client still held open. Nothing of ours needs it: flush, and leave at once.
  std::fflush(nullptr);
  _exit(0);
}
