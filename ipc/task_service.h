// Running named tasks in another process over gRPC: the server side (TaskRegistry and
// TaskServiceImpl) and the client side (RunRemoteTask).
//
// Server:
//   mp::TaskRegistry registry;
//   registry.Register("reverse", [](absl::string_view in) -> absl::StatusOr<std::string> {
//     return std::string(in.rbegin(), in.rend());
//   });
//   mp::TaskServiceImpl service(&registry);
//   grpc::ServerBuilder builder;  // ... RegisterService(&service), BuildAndStart()
//
// Client:
//   auto stub = mp::ipc::TaskService::NewStub(channel);
//   absl::StatusOr<mp::TaskResult> result =
//       mp::RunRemoteTask(*stub, "reverse", "abc", absl::Seconds(5));
//
// Errors: an unknown task is NotFound; a task's own error status reaches the caller with
// its code and message; a call that outlives its deadline is DeadlineExceeded; a server
// that cannot be reached is Unavailable.

#ifndef MP_IPC_TASK_SERVICE_H_
#define MP_IPC_TASK_SERVICE_H_

#include <sys/types.h>

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "ipc/task_service.grpc.pb.h"

namespace mp {

// A task turns payload bytes into result bytes, or fails with a status.
using TaskFunction = std::function<absl::StatusOr<std::string>(absl::string_view payload)>;

// Tasks by name. Register every task before the server starts; lookups are then safe
// from any thread, since the registry no longer changes.
class TaskRegistry {
 public:
  // AlreadyExists if `name` is taken; InvalidArgument if it is empty.
  absl::Status Register(const std::string& name, TaskFunction task);

  // NotFound, naming the task, if no task has that name.
  absl::StatusOr<std::string> Run(const std::string& name, absl::string_view payload) const;

 private:
  absl::flat_hash_map<std::string, TaskFunction> tasks_;
};

// The gRPC service: runs the requested task from `registry`, which must outlive it.
class TaskServiceImpl final : public ipc::TaskService::Service {
 public:
  explicit TaskServiceImpl(const TaskRegistry* registry) : registry_(registry) {}

  grpc::Status Run(grpc::ServerContext* context, const ipc::TaskRequest* request,
                   ipc::TaskReply* reply) override;

 private:
  const TaskRegistry* registry_;
};

struct TaskResult {
  std::string result;
  pid_t worker_pid = -1;
};

// Runs `task_name` on `payload` through `stub`, waiting at most `timeout`.
absl::StatusOr<TaskResult> RunRemoteTask(ipc::TaskService::StubInterface& stub,
                                         const std::string& task_name,
                                         absl::string_view payload, absl::Duration timeout);

}  // namespace mp

#endif  // MP_IPC_TASK_SERVICE_H_
