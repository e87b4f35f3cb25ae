#include "pool/internal/worker.h"

#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipc/byte_queue.h"
#include "pool/internal/wire.h"
#include "pool/pool_task.h"
#include "process/task_registry.h"

namespace mp::internal {
namespace {

absl::StatusOr<std::string> RunTask(const std::string& task_name, const std::string& args) {
  const PoolTask* task = FindPoolTaskByName(task_name);
  if (task == nullptr) {
    return absl::NotFoundError(absl::StrCat("no pool task is registered as '", task_name,
                                            "' in the worker's program"));
  }
  return task->run(args);
}

}  // namespace

int RunPoolWorker(std::string inbox_name, std::string results_name, int64_t max_tasks,
                  std::string initializer, std::string initializer_args) {
  absl::StatusOr<ByteQueue> inbox = ByteQueue::Attach(inbox_name);
  absl::StatusOr<ByteQueue> results = ByteQueue::Attach(results_name);
  if (!inbox.ok() || !results.ok()) return kWorkerCannotAttach;
  if (!initializer.empty() && !RunTask(initializer, initializer_args).ok()) {
    return kWorkerInitializerFailed;
  }
  const int32_t pid = getpid();
  int64_t tasks_run = 0;
  std::string message;
  while (true) {
    if (!inbox->GetInto(message).ok()) return kWorkerLostItsQueues;
    absl::StatusOr<ChunkMessage> chunk = DecodeChunk(message);
    if (!chunk.ok()) return kWorkerLostItsQueues;
    if (chunk->task_name.empty()) return 0;  // asked to stop

    ResultMessage reply{.job = chunk->job, .first_index = chunk->first_index, .worker_pid = pid};
    for (const std::string& args : chunk->encoded_args) {
      reply.outcomes.push_back(OutcomeOf(RunTask(chunk->task_name, args)));
    }
    const size_t tasks = reply.outcomes.size();
    absl::Status sent = results->Put(EncodeResults(std::move(reply)));
    if (sent.code() == absl::StatusCode::kInvalidArgument) {
      // Larger than the results queue can ever hold: each task gets that error instead.
      ResultMessage too_large{.job = chunk->job, .first_index = chunk->first_index, .worker_pid = pid};
      too_large.outcomes.assign(tasks, OutcomeOf(absl::ResourceExhaustedError(absl::StrCat(
                                           "the results of this chunk are too large for the pool's "
                                           "queue (", sent.message(), "); raise "
                                           "PoolOptions::queue_bytes or use a smaller chunksize"))));
      sent = results->Put(EncodeResults(std::move(too_large)));
    }
    if (!sent.ok()) return kWorkerLostItsQueues;
    tasks_run += static_cast<int64_t>(chunk->encoded_args.size());
    if (max_tasks > 0 && tasks_run >= max_tasks) return 0;
  }
}

MP_REGISTER_TASK(RunPoolWorker);

}  // namespace mp::internal
