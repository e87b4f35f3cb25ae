// One worker of a process pool, from the outside: its process and its inbox, how it is
// started, asked to stop, waited for, and how its end is told. PoolCore keeps a set of
// them (one per slot) and replaces any that ends; worker.h is the inside, what the
// process runs. Tested on its own with real processes (worker_process_test).

#ifndef MP_POOL_INTERNAL_WORKER_PROCESS_H_
#define MP_POOL_INTERNAL_WORKER_PROCESS_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/byte_queue.h"
#include "process/process.h"

namespace mp::internal {

// What every worker of a pool is started with.
struct WorkerLaunch {
  StartMethod start_method = StartMethod::kFork;
  size_t queue_bytes = 0;           // of its inbox
  std::string results_queue = {};   // the name of the queue it answers on
  int64_t max_tasks_per_child = 0;  // it exits after this many tasks; 0: never
  std::string initializer = {};     // a registered task to run first; empty: none
  std::string initializer_args = {};
  bool batch_scheduling = true;
};

struct WorkerProcess {
  std::unique_ptr<Process> process;
  std::unique_ptr<ByteQueue> inbox;
};

// How long a stopping worker may take to exit before it is killed.
inline constexpr absl::Duration kWorkerExitGrace = absl::Seconds(10);

// Creates an inbox and starts a daemon worker process on it, named "PoolWorker-<slot>".
// It reports on the results queue first (wire.h, kStartUpReportJob): it runs, or why it
// cannot. Forks or spawns: never call it under a lock others wait for.
absl::StatusOr<WorkerProcess> StartWorkerProcess(const WorkerLaunch& launch, size_t slot);

// Asks the worker to exit after the chunks it holds (a stop message in its inbox), or,
// with `kill` or if its inbox takes nothing, kills it.
void AskToStop(WorkerProcess& worker, bool kill);

// Waits up to kWorkerExitGrace for a worker asked to exit (or exiting on its own), then
// kills it; reaps it either way.
void AwaitExit(Process& worker);

// How a worker ended, from Process::exit_code() (-N: killed by signal N), e.g.
// "worker 812 was killed by SIGKILL".
std::string DescribeExit(pid_t pid, int exit_code);

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_WORKER_PROCESS_H_
