#include "ipc/task_service.h"

#include <unistd.h>

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ipc/grpc_status.h"

namespace mp {

absl::Status TaskRegistry::Register(const std::string& name, TaskFunction task) {
  if (name.empty()) return absl::InvalidArgumentError("a task needs a non-empty name");
  if (!tasks_.emplace(name, std::move(task)).second) {
    return absl::AlreadyExistsError(absl::StrCat("a task named '", name, "' is registered"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TaskRegistry::Run(const std::string& name,
                                              absl::string_view payload) const {
  auto task = tasks_.find(name);
  if (task == tasks_.end()) {
    return absl::NotFoundError(absl::StrCat("no task named '", name, "' is registered"));
  }
  return task->second(payload);
}

grpc::Status TaskServiceImpl::Run(grpc::ServerContext* /*context*/,
                                  const ipc::TaskRequest* request, ipc::TaskReply* reply) {
  absl::StatusOr<std::string> result = registry_->Run(request->task_name(), request->payload());
  if (!result.ok()) return ToGrpcStatus(result.status());
  reply->set_result(*std::move(result));
  reply->set_worker_pid(getpid());
  return grpc::Status::OK;
}

absl::StatusOr<TaskResult> RunRemoteTask(ipc::TaskService::StubInterface& stub,
                                         const std::string& task_name,
                                         absl::string_view payload, absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  ipc::TaskRequest request;
  request.set_task_name(task_name);
  request.set_payload(std::string(payload));
  ipc::TaskReply reply;
  grpc::Status status = stub.Run(&context, request, &reply);
  if (!status.ok()) return FromGrpcStatus(status);
  return TaskResult{std::move(*reply.mutable_result()), static_cast<pid_t>(reply.worker_pid())};
}

}  // namespace mp
