// PoolCore: the untyped engine under mp::Pool. It owns the worker processes, their
// inboxes and the results queue, and one manager thread that starts and replaces
// workers, hands out chunks, files results and notices dead workers (told at once by a
// DeathWatch on their pidfds: death_watch.h).
//
// Its parts with one job each, each tested on its own: dispatch.h decides which chunk
// goes to which worker, answers.h what each message on the results queue means (file
// it, fail a chunk, break the pool), worker_process.h starts and stops one worker, and
// death_watch.h notices a dead one. This class holds the state and carries out their
// decisions.
//
// Dispatch: each worker has its own inbox and a few chunks sent to it and not yet
// answered, kept in order; dispatch.h decides which chunk goes where, and how many a
// worker may hold. A worker runs its chunks in that order, so when it
// dies, the first of them is the one it was running (that chunk fails, or is retried) and
// the rest are handed to other workers untouched. No task is lost or run twice by a
// living worker.
//
// Who collects results: they come back on one queue, and one thread at a time takes them
// off it and files them (only one, so that a worker's results are filed in the order it
// sent them). Usually the manager, and a caller waiting in Map() is woken when its last
// result is filed: two wake-ups per answer, worker -> manager -> caller. A caller that
// will wait anyway (SubmitAndWait: Map, Starmap, Apply) collects them itself when the
// manager is idle: one wake-up, worker -> caller, and on a small machine one thread fewer
// wanting a CPU. So does a thread that waits on an ApplyAsync or MapAsync result
// (Job::Wait, through the Lender below) if it gets there before the manager, whom
// Submit() wakes in case nobody waits (a callback, or a result only polled). While it does, the manager only watches the workers; a dead one makes
// it ask for the queue back (a dead worker's last results must be filed before its
// chunks are failed), and callbacks of other jobs that the caller filed are run by the
// manager, never on a thread that did not ask for them. Not with max_tasks_per_child:
// only the manager may start a worker (see below), and there one starts after every quota.
//
// Workers are daemons started from the manager thread (their parent-death signal follows
// the thread that started them), so they die with the pool's process however it ends.

#ifndef MP_POOL_INTERNAL_POOL_CORE_H_
#define MP_POOL_INTERNAL_POOL_CORE_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/annotated_mutex.h"
#include "ipc/byte_queue.h"
#include "pool/internal/answers.h"
#include "pool/internal/death_watch.h"
#include "pool/internal/dispatch.h"
#include "pool/internal/engine.h"
#include "pool/internal/job.h"
#include "process/life_record.h"
#include "pool/internal/wire.h"
#include "pool/internal/worker_process.h"
#include "pool/pool_options.h"
#include "process/process.h"

namespace mp::internal {

class PoolCore final : public Engine {
 public:
  // Starts the manager thread and the workers (options.workers 0: CpuCount()).
  // InvalidArgument for negative workers, retries or max_tasks_per_child;
  // FailedPrecondition for an initializer that is not registered; otherwise why a
  // worker could not start.
  static absl::StatusOr<std::unique_ptr<PoolCore>> Start(PoolOptions options);
  ~PoolCore() override;  // Terminate()s

  // Runs tasks in worker processes: takes EncodedTasks, and sends each chunk's encoded
  // arguments to a worker as soon as they are encoded.
  bool RunsTasksHere() const override { return false; }
  absl::Status Submit(const EngineCall& call) override;
  // Submit(), then waits until the job is complete, collecting results itself if it can.
  absl::Status SubmitAndWait(const EngineCall& call) override;

  void Close() override;
  // After Close(): waits until every job is done and every worker has exited.
  absl::Status Join(absl::Duration timeout) override;
  // Kills the workers now; unfinished tasks fail with Cancelled.
  void Terminate() override;

  int workers() const override { return options_.workers; }
  // Once every dead worker's replacement has started (while the pool runs).
  std::vector<pid_t> WorkerPids() const;

 private:
  struct Chunk {
    std::shared_ptr<Job> job = nullptr;
    uint64_t job_id = 0;
    uint64_t first_index = 0;
    uint64_t count = 0;
    std::string message = {};  // as sent to a worker (wire.h)
    int attempts = 0;
    int64_t sent_us = 0;  // when it went into a worker's inbox, if the record is on
  };
  struct Worker {
    std::unique_ptr<Process> process;
    std::unique_ptr<ByteQueue> inbox;
    std::deque<Chunk> in_flight;  // sent and not yet answered, in the order sent
    int64_t tasks_sent = 0;
    // How long its last chunk took to run (its worker says); zero until one is timed.
    absl::Duration chunk_time = absl::ZeroDuration();
    // Chunks are sent to it while it refills: from half its limit in flight to the limit.
    bool refilling = true;
    // It answered for a chunk it was not running, or damaged: killed, its answers
    // ignored until it is replaced.
    bool out_of_step = false;
    // Its start-up report said it runs (wire.h, kStartUpReportJob).
    bool started = false;
    // No process: the manager is to start one (at start-up, or to replace one that ended).
    bool needs_start = true;
    // What ended the worker it replaces, for the error if this one cannot start.
    std::string replaces = {};
    size_t chunk_limit() const { return ChunkLimit(chunk_time); }
  };
  enum class Phase { kRunning, kClosing, kTerminating, kFinished };
  // Who takes results off the queue now.
  enum class Collector { kNobody, kManager, kCaller };

  explicit PoolCore(PoolOptions options) : options_(std::move(options)) {}

  void Manage() ABSL_LOCKS_EXCLUDED(mutex_);  // the manager thread's body
  // On the death watch's thread: a worker has ended; the manager looks at once.
  void OnWorkerDied() ABSL_LOCKS_EXCLUDED(mutex_);
  // When the manager next looks at the workers unasked: never, unless it must poll.
  absl::Time NextCheckLocked(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The manager's wait while it does not collect: true when it has something to do.
  bool ManagerHasWorkLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status SubmitChunks(std::string_view task_name, std::shared_ptr<Job> job,
                            size_t chunksize,
                            absl::FunctionRef<void(size_t, size_t, std::string&)> encode_args,
                            bool collecting);
  // A collecting caller: files results until `job`'s are all in, `deadline` passes, the
  // manager wants the queue back, or the pool is terminated (the caller then gives the
  // queue up).
  void CollectUntilDone(const Job& job, absl::Time deadline);
  // For a thread in Job::Wait() on a job of this pool (Lender): collects like
  // SubmitAndWait's caller if nobody collects now; otherwise returns at once.
  void CollectForWaiter(const Job& job, absl::Time deadline) ABSL_LOCKS_EXCLUDED(mutex_);
  // Gives the queue back after collecting, waking the manager if work is left for it.
  void StopCollectingAsCaller() ABSL_LOCKS_EXCLUDED(mutex_);
  // A collecting caller: files `message` and sends what that made room for; callbacks
  // of other jobs go to the manager.
  void FileCollectedLocked(const std::string& message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Wakes a caller waiting on the results queue (an empty message, which is skipped).
  void NudgeCollectorLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Moves the callbacks a collecting caller left for the manager into `done`.
  void TakeCallbacksForManagerLocked(std::vector<std::function<void()>>& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Creates slot's inbox and starts its process: forks or spawns, so never under the lock.
  absl::StatusOr<WorkerProcess> StartWorkerProcess(size_t slot) ABSL_LOCKS_EXCLUDED(mutex_);
  // On the manager's thread only: starts a worker in each slot that needs one, releasing
  // the lock while each starts. The first error; a slot being started has no process, so
  // the others leave it alone meanwhile.
  absl::Status StartMissingWorkersLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // A worker that ran its quota is exiting: its process waits in retiring_, its slot for
  // a new one.
  void RetireWorkerLocked(size_t slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // On the manager's thread: waits for the retiring workers, the lock released meanwhile.
  void JoinRetiredWorkersLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Carries out what answers.h decides about a message from the results queue: files
  // it, fails its worker's running chunk, or breaks the pool.
  void HandleResults(const std::string& message, std::vector<std::function<void()>>& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Files the answer to `slot`'s running chunk.
  void FileAnswerLocked(size_t slot, const ResultMessage& results,
                        std::vector<std::function<void()>>& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // What the pool knows of the worker with this pid, for answers.h.
  Sender SenderLocked(int32_t pid) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void ReplaceWorker(size_t slot, std::vector<std::function<void()>>& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // No work can be done any more, for `why`: fails the chunks of `slot`'s worker and those
  // pending, and every later call.
  void BreakLocked(size_t slot, const absl::Status& why, std::vector<std::function<void()>>& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The same for an answer nobody can say whose it was: every worker's chunks fail (and
  // the workers are stopped), since any call may be waiting for it.
  void BreakAllLocked(const absl::Status& why, std::vector<std::function<void()>>& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The results queue said DataLoss: its shared state was written over, so no answer can
  // be trusted to arrive; every call fails with DataLoss (once).
  void QueueDamagedLocked(const absl::Status& why, std::vector<std::function<void()>>& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // A collecting caller leaves the callbacks it made due to the manager.
  void HandCallbacksToManagerLocked(std::vector<std::function<void()>>& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The slot of the worker with this pid, if it is one of ours now.
  std::optional<size_t> SlotOfWorker(int32_t pid) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void CheckWorkers(std::vector<std::function<void()>>& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Sends pending chunks to workers with room for them, in rounds (DispatchRound).
  void Dispatch(std::vector<std::function<void()>>& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Chooses a worker for each of the first pending chunks, then sends each worker its
  // share in one batch. True if a chunk failed to send: another round may place the rest.
  bool DispatchRound(std::vector<std::function<void()>>& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void Fail(Chunk& chunk, const absl::Status& status, std::vector<std::function<void()>>& done);
  // After a chunk was filed in `job`: whether that completed it (`completed`), and if so,
  // its done callback, to run outside the lock.
  static void AfterFiling(Job& job, bool completed, std::vector<std::function<void()>>& done);
  // A chunk's message buffer, empty, for Submit() to encode into: a spare one if there is.
  std::string TakeSpareMessageLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Keeps an answered chunk's buffer for a later chunk (up to a bound).
  void KeepSpareMessageLocked(std::string message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  bool AllWorkDoneLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // On the manager's thread: asks every worker to exit (kill: kills it) and waits for
  // them, the lock released meanwhile. Their slots are left without a process.
  void StopWorkersLocked(bool kill) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Terminate() without the record's line: for Terminate() and the destructor.
  void Stop();

  // Lent to the jobs of Submit() (Job::LendWaitHelper): a thread waiting on one collects
  // through it while the pool lives; the destructor takes the pool back from it first.
  class Lender;
  std::shared_ptr<Lender> lender_;

  const PoolOptions options_;  // workers resolved (never 0)
  // How workers are started: set by Start() before the manager starts, then never changed.
  WorkerLaunch launch_;
  mutable Mutex mutex_;
  mutable CondVar phase_changed_;  // also waited on by WorkerPids() const
  CondVar manager_wake_;  // for the manager while it does not collect
  Phase phase_ ABSL_GUARDED_BY(mutex_) = Phase::kRunning;
  Collector collector_ ABSL_GUARDED_BY(mutex_) = Collector::kNobody;
  // It found a dead worker while a caller collects.
  bool manager_wants_queue_ ABSL_GUARDED_BY(mutex_) = false;
  // Filed by a caller.
  std::vector<std::function<void()>> callbacks_for_manager_ ABSL_GUARDED_BY(mutex_);
  // Set by the manager once the first workers run.
  std::optional<absl::Status> startup_ ABSL_GUARDED_BY(mutex_);
  std::optional<absl::Status> broken_ ABSL_GUARDED_BY(mutex_);  // why no work can be done any more
  std::vector<Worker> workers_ ABSL_GUARDED_BY(mutex_);
  // Workers that ran their quota, exiting on their own (RetireWorkerLocked).
  std::vector<WorkerProcess> retiring_ ABSL_GUARDED_BY(mutex_);
  // The death watch saw a worker end; the manager has not looked yet.
  bool death_seen_ ABSL_GUARDED_BY(mutex_) = false;
  // A worker could not be watched (no pidfds): the manager looks every kCheckInterval.
  bool poll_for_deaths_ ABSL_GUARDED_BY(mutex_) = false;
  std::deque<Chunk> pending_ ABSL_GUARDED_BY(mutex_);  // not yet sent to a worker
  // Submit() calls accepted and still adding chunks.
  int submitting_ ABSL_GUARDED_BY(mutex_) = 0;
  // Buffers of answered chunks. Reusing them spares a big Map a page fault per 4 KiB of
  // its arguments: fresh memory from the kernel is zeroed and mapped a page at a time.
  std::vector<std::string> spare_messages_ ABSL_GUARDED_BY(mutex_);
  std::atomic<uint64_t> next_job_id_ = 1;
  // Set by Start() before the manager starts, then never changed (it locks itself).
  std::unique_ptr<ByteQueue> results_;
  // The same queue, for callers who collect a job of few tasks (CollectUntilDone): it
  // spins before sleeping.
  std::unique_ptr<ByteQueue> results_watched_;
  // Set by Start() before the manager starts.
  std::unique_ptr<DeathWatch> death_watch_;
  std::thread manager_;
  const std::string record_id_ = NewPoolRecordId();  // in the pool's record (life_record.h)
  std::atomic<bool> joined_ = false;  // a Join() returned OK
};

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_POOL_CORE_H_
