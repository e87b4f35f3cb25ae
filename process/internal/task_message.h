// The message that tells a spawned or fork-server child what to run: the task's
// registered name, its encoded arguments and the child's identity. It travels in a
// memfd (an anonymous in-memory file), so its size is not limited by a pipe buffer
// and the parent never blocks writing it.

#ifndef MP_PROCESS_INTERNAL_TASK_MESSAGE_H_
#define MP_PROCESS_INTERNAL_TASK_MESSAGE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"
#include "process/internal/child_side.h"

namespace mp::internal {

struct TaskMessage {
  std::string task_name;
  std::string encoded_args;
  Identity identity;
};

// A close-on-exec memfd holding the encoded message, positioned at its start.
absl::StatusOr<UniqueFd> WriteTaskMessage(const TaskMessage& message);

// Reads the message in `fd`, becomes the child it describes (see BecomeChild for
// `watched_parent`; 0 means the
// parent named in the message), runs the task and exits. A damaged message or an unknown task is
// reported on stderr and exits 1.
[[noreturn]] void RunTaskMessageAndExit(int fd, pid_t watched_parent);

}  // namespace mp::internal

#endif  // MP_PROCESS_INTERNAL_TASK_MESSAGE_H_
