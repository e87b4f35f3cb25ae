#include "process/internal/task_message.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/arg_codec.h"
#include "base/status_macros.h"
#include "base/unique_fd.h"
#include "process/internal/child_side.h"
#include "process/task_registry.h"

namespace mp::internal {
namespace {

using MessageFields = std::tuple<std::string, std::string, std::string, bool, pid_t,
                                 std::string>;

[[noreturn]] void FailInChild(const char* problem, const std::string& detail) {
  std::fprintf(stderr, "mp: a spawned child %s%s\n", problem, detail.c_str());
  std::fflush(stderr);
  ::_exit(kBadTaskMessageExitCode);
}

}  // namespace

absl::StatusOr<UniqueFd> WriteTaskMessage(const TaskMessage& message) {
  UniqueFd file(::memfd_create("mp-task-message", MFD_CLOEXEC));
  if (!file.valid()) return absl::ErrnoToStatus(errno, "memfd_create");
  const Identity& identity = message.identity;
  MP_RETURN_IF_ERROR(WriteAll(
      file.get(), EncodeAll(message.task_name, message.encoded_args, identity.name,
                            identity.daemon, identity.parent_pid, identity.parent_name)));
  if (::lseek(file.get(), 0, SEEK_SET) != 0) return absl::ErrnoToStatus(errno, "lseek");
  return file;
}

void RunTaskMessageAndExit(int fd, pid_t watched_parent) {
  ::lseek(fd, 0, SEEK_SET);
  absl::StatusOr<std::string> bytes = ReadAll(fd);
  ::close(fd);
  if (!bytes.ok()) FailInChild("could not read its task: ", bytes.status().ToString());
  MessageFields fields;
  if (!DecodeAll(*bytes, fields)) FailInChild("got a damaged task message", "");
  auto* message = new TaskMessage;  // lives as long as the process: it is its identity
  std::tie(message->task_name, message->encoded_args, message->identity.name,
           message->identity.daemon, message->identity.parent_pid,
           message->identity.parent_name) = std::move(fields);
  BecomeChild(&message->identity,
              watched_parent != 0 ? watched_parent : message->identity.parent_pid);
  const RegisteredTask* task = FindTaskByName(message->task_name);
  if (task == nullptr) FailInChild("was asked for an unregistered task: ", message->task_name);
  RunTaskAndExit([task, message] { return task->run(message->encoded_args); });
}

}  // namespace mp::internal
