// What a pool's worker process runs: take chunks of tasks from its inbox, run each task,
// put the outcomes on the shared results queue; exit on a stop message, after
// `max_tasks` tasks (if > 0), or when its parent dies (it is a daemon).

#ifndef MP_POOL_INTERNAL_WORKER_H_
#define MP_POOL_INTERNAL_WORKER_H_

#include <cstdint>
#include <string>

#include "ipc/byte_queue.h"

namespace mp::internal {

// Exit codes: 0 after a stop message or max_tasks; the others mean trouble.
inline constexpr int kWorkerCannotAttach = 3;
inline constexpr int kWorkerInitializerFailed = 4;
inline constexpr int kWorkerLostItsQueues = 5;
// Not a worker's: a process fork()ed by a task, which returned into the worker's loop.
inline constexpr int kTaskForkedAWorker = 6;

// For tests of the pool itself: in a worker process, the queue it answers on, so that a
// task can put answers there that are wrong on purpose; nullptr elsewhere.
ByteQueue* ResultsQueueForTesting();

// Registered with MP_REGISTER_TASK, so spawn and forkserver can start it too.
// `initializer`: the name of a pool task to run first (empty: none), with its arguments.
// `batch_scheduling`: run under SCHED_BATCH (PoolOptions::batch_scheduling).
int RunPoolWorker(std::string inbox_name, std::string results_name, int64_t max_tasks,
                  std::string initializer, std::string initializer_args,
                  bool batch_scheduling);

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_WORKER_H_
