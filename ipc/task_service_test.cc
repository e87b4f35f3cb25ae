#include "ipc/task_service.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpc/grpc.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "process/testing/spawned_program.h"

namespace mp {
namespace {

constexpr absl::Duration kGenerous = absl::Seconds(30);

// Starts task_service_server in a child process and connects to it: over loopback TCP
// with port 0 (the kernel picks a free port, which the server prints), or over an
// abstract Unix socket (a name, no file to clean up).
class TaskServiceTest : public testing::TestWithParam<std::string> {
 protected:
  // gRPC starts and stops its background threads as channels come and go, and one it
  // stops without joining is a "thread leak" to ThreadSanitizer. Initializing the library
  // once more, never to be shut down, keeps its threads alive (and quiet) until exit.
  static void SetUpTestSuite() { grpc_init(); }

  void SetUp() override {
    const bool unix_socket = GetParam() == "unix";
    const std::string address =
        unix_socket ? absl::StrCat("unix-abstract:mp-task-service-test-", getpid())
                    : "127.0.0.1:0";
    absl::StatusOr<test::SpawnedProgram> server = test::SpawnedProgram::Start(
        test::Runfile("ipc/task_service_server"), {"--address=" + address});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::make_unique<test::SpawnedProgram>(*std::move(server));

    absl::StatusOr<std::string> line = server_->ReadLine(kGenerous);
    ASSERT_TRUE(line.ok()) << line.status();
    std::string target = address;
    if (unix_socket) {
      ASSERT_EQ(*line, "listening on " + address);
    } else {
      int port = 0;
      ASSERT_EQ(std::sscanf(line->c_str(), "listening on port %d", &port), 1) << *line;
      target = absl::StrCat("127.0.0.1:", port);
    }
    target_ = target;
    Connect();
  }

  void Connect() {
    stub_ = ipc::TaskService::NewStub(
        grpc::CreateChannel(target_, grpc::InsecureChannelCredentials()));
  }

  // Closing the server's stdin is its signal to shut down and exit 0. Our connection
  // goes first: a server on a Unix socket otherwise lingers for 10 s on a client that is
  // connected but idle. Afterwards stub_ is a fresh one, for a server that has gone.
  void StopServer() {
    stub_.reset();
    server_->CloseStdin();
    EXPECT_EQ(server_->Wait(kGenerous).value_or(-1), 0);
    Connect();
  }

  std::unique_ptr<test::SpawnedProgram> server_;
  std::string target_;
  std::unique_ptr<ipc::TaskService::Stub> stub_;
};

// Passes when a task's result comes back from the server process, run by its pid.
TEST_P(TaskServiceTest, ACallRoundTripsThroughAnotherProcess) {
  absl::StatusOr<TaskResult> reply = RunRemoteTask(*stub_, "reverse", "abc", kGenerous);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->result, "cba");
  EXPECT_EQ(reply->worker_pid, server_->pid());
  EXPECT_NE(reply->worker_pid, getpid());
  StopServer();
}

// Passes when payloads of 0 bytes and of 1 MiB + 1 bytes (every byte value) come back whole.
TEST_P(TaskServiceTest, PayloadsOfAnySizeAndByteValueRoundTrip) {
  std::string large(1024 * 1024 + 1, '\0');
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>(i % 256);
  for (const std::string& payload : {std::string(), large}) {
    absl::StatusOr<TaskResult> reply = RunRemoteTask(*stub_, "echo", payload, kGenerous);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->result, payload);
  }
  StopServer();
}

// Passes when an unknown task is NOT_FOUND, naming it, and the server keeps serving.
TEST_P(TaskServiceTest, AnUnknownTaskIsNotFoundAndTheServerKeepsServing) {
  absl::StatusOr<TaskResult> unknown = RunRemoteTask(*stub_, "no_such_task", "", kGenerous);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("no_such_task"), absl::string_view::npos);

  absl::StatusOr<TaskResult> after = RunRemoteTask(*stub_, "echo", "still here", kGenerous);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->result, "still here");
  StopServer();
}

// Passes when a call to a server that has gone is UNAVAILABLE within its deadline.
TEST_P(TaskServiceTest, AServerThatHasGoneIsUnavailable) {
  StopServer();
  absl::StatusOr<TaskResult> reply = RunRemoteTask(*stub_, "echo", "x", absl::Seconds(5));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable) << reply.status();
}

INSTANTIATE_TEST_SUITE_P(LoopbackAndUnixSocket, TaskServiceTest,
                         testing::Values("loopback", "unix"),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(TaskRegistryTest, RejectsEmptyAndDuplicateNames) {
  TaskRegistry registry;
  auto echo = [](absl::string_view in) -> absl::StatusOr<std::string> { return std::string(in); };
  EXPECT_EQ(registry.Register("", echo).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(registry.Register("echo", echo).ok());
  EXPECT_EQ(registry.Register("echo", echo).code(), absl::StatusCode::kAlreadyExists);
}

// Passes when a task's own error reaches the caller with its code and message.
TEST(TaskRegistryTest, ATasksErrorIsReturnedAsIs) {
  TaskRegistry registry;
  ASSERT_TRUE(registry
                  .Register("refuse",
                            [](absl::string_view) -> absl::StatusOr<std::string> {
                              return absl::InvalidArgumentError("bad payload");
                            })
                  .ok());
  absl::StatusOr<std::string> result = registry.Run("refuse", "");
  EXPECT_EQ(result.status(), absl::InvalidArgumentError("bad payload"));
}

}  // namespace
}  // namespace mp
