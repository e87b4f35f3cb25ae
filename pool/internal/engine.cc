#include "pool/internal/engine.h"

#include "absl/status/status.h"

namespace mp::internal {

absl::Status WrongFormOfTasks(bool engine_runs_tasks_here) {
  return absl::InvalidArgumentError(
      engine_runs_tasks_here
          ? "this engine runs tasks in this process: send TasksHere, not EncodedTasks"
          : "this engine runs tasks in other processes: send EncodedTasks, not TasksHere");
}

}  // namespace mp::internal
