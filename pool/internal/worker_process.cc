#include "pool/internal/worker_process.h"

#include <string.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "pool/internal/wire.h"
#include "pool/internal/worker.h"

namespace mp::internal {

absl::StatusOr<WorkerProcess> StartWorkerProcess(const WorkerLaunch& launch, size_t slot) {
  MP_ASSIGN_OR_RETURN(ByteQueue inbox, ByteQueue::Create({.capacity_bytes = launch.queue_bytes}));
  WorkerProcess worker{.process = nullptr, .inbox = std::make_unique<ByteQueue>(std::move(inbox))};
  worker.process = std::make_unique<Process>(
      ProcessOptions{.name = absl::StrCat("PoolWorker-", slot),
                     .daemon = true,
                     .start_method = launch.start_method},
      RunPoolWorker, worker.inbox->name(), launch.results_queue, launch.max_tasks_per_child,
      launch.initializer, launch.initializer_args, launch.batch_scheduling);
  MP_RETURN_IF_ERROR(worker.process->Start());
  return worker;
}

void AskToStop(WorkerProcess& worker, bool kill) {
  if (kill || worker.inbox == nullptr ||
      !worker.inbox->Put(EncodeChunk(ChunkMessage{}), absl::Seconds(1)).ok()) {
    (void)worker.process->Kill();
  }
}

void AwaitExit(Process& worker) {
  if (!worker.Join(kWorkerExitGrace).ok()) (void)worker.Kill();
  (void)worker.Join();
}

std::string DescribeExit(pid_t pid, int exit_code) {
  if (exit_code < 0) {
    const char* abbreviation = sigabbrev_np(-exit_code);
    return absl::StrCat("worker ", pid, " was killed by ",
                        abbreviation ? absl::StrCat("SIG", abbreviation) : absl::StrCat("signal ", -exit_code));
  }
  if (exit_code == 0) {
    return absl::StrCat("worker ", pid, " exited with code 0 (a task that calls exit() ends its worker)");
  }
  return absl::StrCat("worker ", pid, " exited with code ", exit_code);
}

}  // namespace mp::internal
