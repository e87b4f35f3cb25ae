#include "pool/internal/engine.h"

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace mp::internal {

absl::Status Engine::SubmitAndWait(const EngineCall& call) {
  const absl::Status submitted = Submit(call);
  if (submitted.ok()) call.job->Wait(absl::InfiniteDuration());
  return submitted;
}

absl::Status WrongFormOfTasks(bool engine_runs_tasks_here) {
  return absl::InvalidArgumentError(
      engine_runs_tasks_here
          ? "this engine runs tasks in this process: send TasksHere, not EncodedTasks"
          : "this engine runs tasks in other processes: send EncodedTasks, not TasksHere");
}

}  // namespace mp::internal
