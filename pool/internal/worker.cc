#include "pool/internal/worker.h"

#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipc/byte_queue.h"
#include "process/life_record.h"
#include "pool/internal/wire.h"
#include "pool/pool_task.h"
#include "process/task_registry.h"

namespace mp::internal {
namespace {

// Runs a chunk of `count` tasks of `task_name` (see PoolTaskEntry).
void RunTasks(std::string_view task_name, std::string_view args, uint64_t count,
              std::string& values, std::vector<TaskError>& errors) {
  const PoolTask* task = FindPoolTaskByName(task_name);
  if (task == nullptr) {
    FailTasks(0, count, absl::StatusCode::kNotFound,
              absl::StrCat("no pool task is registered as '", std::string(task_name),
                           "' in the worker's program"),
              errors);
    return;
  }
  task->run(args, count, values, errors);
}

// Every task of the chunk fails with `why`.
ResultMessage AllFailed(const ResultMessage& reply, const std::string& why) {
  ResultMessage failed = reply;
  failed.values = {};
  failed.errors.clear();
  FailTasks(0, reply.count, absl::StatusCode::kResourceExhausted, why, failed.errors);
  return failed;
}

// SCHED_BATCH: the same share of the CPU as before, but when the manager wakes this
// worker with work, the worker waits for the manager's time slice to end instead of
// taking the CPU from it at once: the manager goes on filing results and handing out
// chunks, with far fewer context switches on an idle machine
// (benchmarks/results/design_measurements.md).
// Processes a task starts inherit the policy. Best effort: a kernel that refuses leaves
// the default.
void UseBatchScheduling() {
  const sched_param no_priority{};
  (void)sched_setscheduler(0, SCHED_BATCH, &no_priority);
}

ByteQueue* results_queue_for_testing = nullptr;

}  // namespace

ByteQueue* ResultsQueueForTesting() { return results_queue_for_testing; }

int RunPoolWorker(std::string inbox_name, std::string results_name, int64_t max_tasks,
                  std::string initializer, std::string initializer_args,
                  bool batch_scheduling) {
  if (batch_scheduling) UseBatchScheduling();
  absl::StatusOr<ByteQueue> results = ByteQueue::Attach(results_name);
  if (!results.ok()) return kWorkerCannotAttach;  // nowhere to report: the exit code says it
  results_queue_for_testing = &*results;
  const int32_t pid = getpid();  // read before any task runs: see the fork() check below
  // These four keep their memory from chunk to chunk.
  std::string message;
  std::string values;
  std::vector<TaskError> errors;
  std::string encoded_reply;
  // The start-up report (wire.h): the manager learns for certain whether this worker
  // runs, and if not, why.
  ResultMessage report{.job = kStartUpReportJob, .worker_pid = pid};
  absl::StatusOr<ByteQueue> inbox = ByteQueue::Attach(inbox_name);
  if (!inbox.ok()) {
    report.errors.push_back({.code = static_cast<int32_t>(inbox.status().code()),
                             .message = absl::StrCat("it could not attach to its inbox: ",
                                                     inbox.status().message())});
  } else if (!initializer.empty()) {
    RunTasks(initializer, initializer_args, 1, values, errors);
    if (!errors.empty()) {
      report.errors.push_back({.code = errors.front().code,
                               .message = absl::StrCat("the pool's initializer failed: ",
                                                       errors.front().message)});
    }
  }
  report.count = report.errors.size();
  EncodeResults(report, encoded_reply);
  if (!results->Put(encoded_reply).ok()) return kWorkerLostItsQueues;
  if (!inbox.ok()) return kWorkerCannotAttach;
  if (!report.errors.empty()) return kWorkerInitializerFailed;
  int64_t tasks_run = 0;
  while (true) {
    if (!inbox->GetInto(message).ok()) return kWorkerLostItsQueues;
    absl::StatusOr<ChunkMessage> chunk = DecodeChunk(message);
    if (!chunk.ok()) return kWorkerLostItsQueues;
    if (chunk->task_name.empty()) return 0;  // asked to stop

    values.clear();
    errors.clear();
    const int64_t start_us = PoolRecordEnabled() ? PoolRecordMicros() : 0;
    const auto started = std::chrono::steady_clock::now();
    RunTasks(chunk->task_name, chunk->args, chunk->count, values, errors);
    const auto run_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - started).count();
    // A task that fork()ed comes back here twice. The copy is not a worker: it must not
    // answer for the chunk nor take the next, and nobody waits for it, so it ends now.
    if (getpid() != pid) _exit(kTaskForkedAWorker);
    if (PoolRecordEnabled()) {
      RecordPoolEvent(absl::StrCat("ran task=", std::string(chunk->task_name), " first=", chunk->first_index,
                                   " count=", chunk->count, " start_us=", start_us));
    }
    ResultMessage reply{.job = chunk->job,
                        .first_index = chunk->first_index,
                        .count = chunk->count,
                        .worker_pid = pid,
                        .run_ns = static_cast<uint64_t>(run_ns),
                        .values = values,
                        .errors = std::move(errors)};
    EncodeResults(reply, encoded_reply);
    absl::Status sent = results->Put(encoded_reply);
    if (sent.code() == absl::StatusCode::kInvalidArgument) {
      // Larger than the results queue can ever hold: each task gets that error instead.
      EncodeResults(AllFailed(reply, absl::StrCat("the results of this chunk are too large for "
                                                  "the pool's queue (", sent.message(), "); raise "
                                                  "PoolOptions::queue_bytes or use a smaller "
                                                  "chunksize")),
                    encoded_reply);
      sent = results->Put(encoded_reply);
    }
    if (!sent.ok()) return kWorkerLostItsQueues;
    errors = std::move(reply.errors);  // its capacity, for the next chunk
    tasks_run += static_cast<int64_t>(chunk->count);
    if (max_tasks > 0 && tasks_run >= max_tasks) return 0;
  }
}

MP_REGISTER_TASK(RunPoolWorker);

}  // namespace mp::internal
