// Engine: what runs a pool's tasks, below the typed calls (pool_calls.h). mp::Pool
// (worker processes, pool_core.h), mp::RemotePool (worker hosts, remote/remote_core.h)
// and mp::ThreadPool (threads, thread_pool_core.h) are each an Engine behind the same
// PoolCalls; the typed layer owns every type, an engine moves tasks and files results.
//
// An engine receives a call as an EngineCall: the job its results go to, the chunk size,
// and the tasks in one of two forms, by where the engine runs them:
// - EncodedTasks, for engines that run tasks in another process: a registered task's
//   name and its arguments as bytes (chunk_codec.h). Results come back as bytes, which
//   the engine files with Job::CompleteEncoded.
// - TasksHere, for an engine in this process: a function that runs a range of tasks on
//   the calling thread and files their results, never encoded.

#ifndef MP_POOL_INTERNAL_ENGINE_H_
#define MP_POOL_INTERNAL_ENGINE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pool/internal/job.h"

namespace mp::internal {

struct EncodedTasks {
  std::string_view task_name;
  // Appends the encoded arguments of tasks first .. first + count - 1 to `out`. Valid
  // only during Submit(): it may refer to the caller's inputs. (A FunctionRef: the
  // function it refers to must outlive it, so name a lambda before making one.)
  absl::FunctionRef<void(size_t first, size_t count, std::string& out)> encode_args;
};

struct TasksHere {
  // Runs tasks first .. first + count - 1 on this thread and files their results in the
  // job; true if that completed it. It owns what it needs: it runs after Submit() returns.
  std::function<bool(size_t first, size_t count)> run;
};

struct EngineCall {
  std::shared_ptr<Job> job;  // job->size() tasks, numbered from 0
  size_t chunksize = 1;      // tasks per chunk, at least 1
  std::variant<EncodedTasks, TasksHere> tasks;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Which form of tasks this engine runs: the typed layer sends only that one.
  virtual bool RunsTasksHere() const = 0;
  // Runs the call's tasks, chunk by chunk, filing results in its job and running the
  // job's done callback (Job::TakeOnDone) once it completes. FailedPrecondition once the
  // pool is closed or terminated; InvalidArgument for the other form of tasks.
  virtual absl::Status Submit(const EngineCall& call) = 0;
  // Submit(), then waits until the job is complete (Map, Starmap, Apply). That is all
  // this default does; an engine may instead use the waiting thread to collect results
  // (PoolCore does).
  virtual absl::Status SubmitAndWait(const EngineCall& call);

  // No more calls; submitted work still runs.
  virtual void Close() = 0;
  // After Close() or Terminate(): waits for the work to finish and the workers to exit.
  virtual absl::Status Join(absl::Duration timeout) = 0;
  // Stops the workers now; unfinished tasks fail with Cancelled.
  virtual void Terminate() = 0;
  virtual int workers() const = 0;
};

// The engine's answer to a call whose tasks are in the other form.
absl::Status WrongFormOfTasks(bool engine_runs_tasks_here);

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_ENGINE_H_
