#include "pool/internal/pool_core.h"

#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/status_macros.h"
#include "ipc/byte_queue.h"
#include "pool/internal/answers.h"
#include "pool/internal/wire.h"
#include "pool/internal/worker.h"
#include "pool/internal/worker_process.h"
#include "process/cpu_count.h"
#include "process/process.h"

namespace mp::internal {
namespace {

// A dead worker is seen at once through its pidfd (death_watch.h). Only where the kernel
// has no pidfds does the manager look at the workers this often, results or not.
constexpr absl::Duration kCheckInterval = absl::Milliseconds(10);
// The longest the manager sleeps on the results queue before it looks again at what is
// left to do (it leaves the queue to callers once no work is left).
constexpr absl::Duration kLongestCollectingSleep = absl::Milliseconds(10);
using Callbacks = std::vector<std::function<void()>>;

}  // namespace

absl::StatusOr<std::unique_ptr<PoolCore>> PoolCore::Start(PoolOptions options) {
  const bool negative_size_accepted = BugPutBack("pool_accepts_negative_size");
  if ((options.workers < 0 && !negative_size_accepted) || options.retries < 0 ||
      options.max_tasks_per_child < 0) {
    return absl::InvalidArgumentError(
        "PoolOptions: workers, retries and max_tasks_per_child must not be negative");
  }
  if (options.initializer.given && options.initializer.task_name.empty()) {
    return absl::FailedPreconditionError(
        "PoolOptions::initializer is not a pool task: register it with MP_POOL_TASK");
  }
  if (options.workers <= 0) {
    options.workers = BugPutBack("pool_size_ignores_affinity")
                          ? static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))
                          : CpuCount();
  }
  std::unique_ptr<PoolCore> core(new PoolCore(std::move(options)));
  core->lender_ = std::make_shared<Lender>(core.get());
  MP_ASSIGN_OR_RETURN(core->death_watch_,
                      DeathWatch::Start([core = core.get()](pid_t) { core->OnWorkerDied(); }));
  // The manager does not spin waiting for results: while results are coming, every worker
  // is busy, and a spinning manager would take a CPU from one of them (Map throughput and
  // the ApplyAsync round trip were both better without: design_measurements.md).
  MP_ASSIGN_OR_RETURN(ByteQueue results,
                      ByteQueue::Create({.capacity_bytes = core->options_.queue_bytes,
                                         .spin = absl::ZeroDuration()}));
  core->results_ = std::make_unique<ByteQueue>(std::move(results));
  // A caller who collects for a job of fewer tasks than workers watches the queue a
  // moment before it sleeps (ByteQueue's default spin): a CPU is free for it, and a quick
  // answer then costs no wake-up. With more, the workers want every CPU.
  MP_ASSIGN_OR_RETURN(ByteQueue watched, ByteQueue::Attach(core->results_->name()));
  core->results_watched_ = std::make_unique<ByteQueue>(std::move(watched));
  const PoolOptions& given = core->options_;
  core->launch_ = {.start_method = given.start_method,
                   .queue_bytes = given.queue_bytes,
                   .results_queue = core->results_->name(),
                   .max_tasks_per_child = given.max_tasks_per_child,
                   .initializer = given.initializer.task_name,
                   .initializer_args = given.initializer.encoded_args,
                   .batch_scheduling = given.batch_scheduling};
  {
    MutexLock lock(core->mutex_);  // no other thread yet: only for the analysis
    core->workers_.resize(static_cast<size_t>(core->options_.workers));
  }
  RecordPoolEvent(absl::StrCat("create pool=", core->record_id_, " engine=processes workers=",
                               core->options_.workers));
  core->manager_ = std::thread(&PoolCore::Manage, core.get());
  absl::Status startup;
  {
    MutexLock lock(core->mutex_);
    while (!core->startup_.has_value()) core->phase_changed_.Wait(core->mutex_);
    startup = *core->startup_;
  }
  if (!startup.ok()) {
    core->manager_.join();
    return startup;
  }
  return core;
}

// Lent to jobs, which may outlive the pool: it reaches the pool only while the pool lets
// it, and the pool waits for a thread collecting through it to leave before it goes.
class PoolCore::Lender final : public WaitHelper {
 public:
  explicit Lender(PoolCore* core) : core_(core) {}

  void CollectFor(const Job& job, absl::Time deadline) override {
    PoolCore* core = nullptr;
    {
      MutexLock lock(mutex_);
      core = core_;
      if (core == nullptr) return;
      ++collecting_;
    }
    core->CollectForWaiter(job, deadline);
    MutexLock lock(mutex_);
    if (--collecting_ == 0) left_.SignalAll();
  }

  // After the pool stopped (a collecting thread then leaves at once): no thread reaches
  // the pool through this any more.
  void TakeBack() {
    MutexLock lock(mutex_);
    core_ = nullptr;
    while (collecting_ > 0) left_.Wait(mutex_);
  }

 private:
  Mutex mutex_;
  CondVar left_;
  PoolCore* core_ ABSL_GUARDED_BY(mutex_);
  int collecting_ ABSL_GUARDED_BY(mutex_) = 0;
};

PoolCore::~PoolCore() {
  if (!joined_) RecordPoolEvent(absl::StrCat("destroy pool=", record_id_, " without=join"));
  Stop();
  if (lender_ != nullptr) lender_->TakeBack();
  if (manager_.joinable()) manager_.join();
  death_watch_.reset();  // its thread calls OnWorkerDied(), which needs mutex_
}

void PoolCore::OnWorkerDied() {
  MutexLock lock(mutex_);
  death_seen_ = true;
  // Wake the manager wherever it sleeps: on the results queue while it collects, on
  // manager_wake_ otherwise.
  if (collector_ == Collector::kManager) NudgeCollectorLocked();
  manager_wake_.Signal();
}

absl::StatusOr<WorkerProcess> PoolCore::StartWorkerProcess(size_t slot) {
  MP_ASSIGN_OR_RETURN(WorkerProcess worker, internal::StartWorkerProcess(launch_, slot));
  if (PoolRecordEnabled()) {
    RecordPoolEvent(absl::StrCat("worker pool=", record_id_, " pid=", *worker.process->pid()));
  }
  return worker;
}

absl::Status PoolCore::StartMissingWorkersLocked() {
  for (size_t slot = 0; slot < workers_.size(); ++slot) {
    if (!workers_[slot].needs_start || phase_ == Phase::kTerminating || broken_) continue;
    workers_[slot].needs_start = false;
    const std::string replaces = std::move(workers_[slot].replaces);
    // Forking or spawning takes a while: callers filing results and sending chunks need
    // the lock meanwhile. The slot has no process, so they leave it alone.
    mutex_.Unlock();
    absl::StatusOr<WorkerProcess> started = StartWorkerProcess(slot);
    mutex_.Lock();
    phase_changed_.SignalAll();  // WorkerPids() waits for a slot being refilled
    if (!started.ok()) {
      if (replaces.empty()) return started.status();
      return absl::Status(started.status().code(), absl::StrCat("cannot replace ", replaces, ": ",
                                                                started.status().message()));
    }
    Worker& worker = workers_[slot];
    worker.inbox = std::move(started->inbox);
    worker.process = std::move(started->process);
    worker.in_flight.clear();
    worker.tasks_sent = 0;
    worker.chunk_time = absl::ZeroDuration();
    worker.refilling = true;
    worker.out_of_step = false;
    worker.started = false;
    // Without a pidfd for it (an old kernel), the manager looks for itself, every
    // kCheckInterval.
    if (!death_watch_->Watch(*worker.process->pid()).ok()) poll_for_deaths_ = true;
  }
  return absl::OkStatus();
}

void PoolCore::RetireWorkerLocked(size_t slot) {
  Worker& worker = workers_[slot];
  const pid_t pid = *worker.process->pid();
  death_watch_->Forget(pid);
  retiring_.push_back({.process = std::move(worker.process), .inbox = std::move(worker.inbox)});
  worker.needs_start = true;
  worker.replaces = absl::StrCat("worker ", pid, ", which ran its max_tasks_per_child,");
}

void PoolCore::JoinRetiredWorkersLocked() {
  if (retiring_.empty()) return;
  std::vector<WorkerProcess> retiring = std::exchange(retiring_, {});
  mutex_.Unlock();
  for (WorkerProcess& worker : retiring) AwaitExit(*worker.process);
  mutex_.Lock();
}

void PoolCore::StopWorkersLocked(bool kill) {
  std::vector<WorkerProcess> stopping = std::exchange(retiring_, {});
  for (Worker& worker : workers_) {
    if (worker.process == nullptr) continue;
    death_watch_->Forget(*worker.process->pid());
    stopping.push_back({.process = std::move(worker.process), .inbox = std::move(worker.inbox)});
  }
  // Each may take up to kWorkerExitGrace to exit: not under the lock that WorkerPids(),
  // Ready() callers and the rest need.
  mutex_.Unlock();
  for (WorkerProcess& worker : stopping) {
    if (kill && BugPutBack("pool_leaves_busy_workers_running")) {
      (void)worker.process.release();  // neither killed nor collected: the bug
      continue;
    }
    AskToStop(worker, kill);
    AwaitExit(*worker.process);
  }
  mutex_.Lock();
}

void PoolCore::Manage() {
  {
    MutexLock lock(mutex_);
    absl::Status status = StartMissingWorkersLocked();  // every slot, at first
    startup_ = status;
    if (!status.ok()) {
      StopWorkersLocked(/*kill=*/true);
      phase_ = Phase::kFinished;
    }
    phase_changed_.SignalAll();
    if (!status.ok()) return;
  }
  std::string message;
  // One clock reading per round: the manager files a result per round, and reading the
  // clock is a measurable part of that on a VM.
  absl::Time now = absl::Now();
  mutex_.Lock();
  absl::Time next_check = NextCheckLocked(now);
  while (true) {
    Callbacks done;
    if (manager_wants_queue_ && collector_ != Collector::kCaller) {
      // The caller gave the queue back: see to the dead worker now.
      manager_wants_queue_ = false;
      collector_ = Collector::kManager;
      next_check = now;
    }
    if (collector_ == Collector::kNobody && !AllWorkDoneLocked()) collector_ = Collector::kManager;
    const absl::Duration until_check = std::max(next_check - now, absl::ZeroDuration());
    if (collector_ == Collector::kManager) {
      mutex_.Unlock();
      const absl::Status got =
          results_->GetInto(message, std::min(until_check, kLongestCollectingSleep));
      mutex_.Lock();
      now = absl::Now();
      if (got.ok() && phase_ != Phase::kTerminating) HandleResults(message, done);
      if (got.code() == absl::StatusCode::kDataLoss) QueueDamagedLocked(got, done);
    } else {
      while (!ManagerHasWorkLocked() && manager_wake_.WaitUntil(mutex_, next_check)) {
      }
      now = absl::Now();
    }
    if (phase_ == Phase::kTerminating) break;
    if (death_seen_) {
      death_seen_ = false;
      next_check = now;
    }
    if (now >= next_check) {
      CheckWorkers(done);
      now = absl::Now();
      next_check = NextCheckLocked(now);
    }
    // Replacements for the dead and for those that ran their quota, then those to wait
    // for, each with the lock released while it starts or waits. (Replacements first:
    // WorkerPids() waits for them, and a retiring worker may be slow to exit.)
    if (absl::Status started = StartMissingWorkersLocked(); !started.ok() && !broken_) {
      broken_ = started;
      phase_changed_.SignalAll();  // WorkerPids() waits no more
    }
    JoinRetiredWorkersLocked();
    Dispatch(done);
    // Nothing left to collect: the manager leaves the queue at once and waits on
    // manager_wake_, so that the next caller to wait (Map(), or Get() on an ApplyAsync
    // result) collects its own results. It used to linger for 10 ms first, which spared
    // ApplyAsync in a loop the manager's wake-up, but kept its Get() from collecting: the
    // round trip was 2x slower (benchmarks/results/apply_round_trip_2026-12-07.md).
    if (collector_ == Collector::kManager && AllWorkDoneLocked()) {
      collector_ = Collector::kNobody;
    }
    TakeCallbacksForManagerLocked(done);
    const bool finished = phase_ == Phase::kClosing && AllWorkDoneLocked();
    if (finished) {
      StopWorkersLocked(/*kill=*/false);
      phase_ = Phase::kFinished;
      phase_changed_.SignalAll();
    }
    mutex_.Unlock();
    for (std::function<void()>& callback : done) callback();
    if (finished) return;
    mutex_.Lock();
  }
  // Terminating: end the workers, fail what they had not finished.
  Callbacks done;
  StopWorkersLocked(/*kill=*/true);
  const absl::Status cancelled = absl::CancelledError("the pool was terminated");
  for (Worker& worker : workers_) {
    for (Chunk& chunk : worker.in_flight) Fail(chunk, cancelled, done);
    worker.in_flight.clear();
  }
  for (Chunk& chunk : pending_) Fail(chunk, cancelled, done);
  pending_.clear();
  TakeCallbacksForManagerLocked(done);
  if (collector_ == Collector::kCaller) NudgeCollectorLocked();  // its job is complete now
  phase_ = Phase::kFinished;
  phase_changed_.SignalAll();
  mutex_.Unlock();
  for (std::function<void()>& callback : done) callback();
}

absl::Time PoolCore::NextCheckLocked(absl::Time now) const {
  return poll_for_deaths_ ? now + kCheckInterval : absl::InfiniteFuture();
}

bool PoolCore::ManagerHasWorkLocked() const {
  // (None is started once the pool is broken or terminating.)
  const bool worker_to_start =
      !broken_ && std::any_of(workers_.begin(), workers_.end(),
                              [](const Worker& worker) { return worker.needs_start; });
  return phase_ == Phase::kTerminating || death_seen_ || worker_to_start || !retiring_.empty() ||
         !callbacks_for_manager_.empty() ||
         (manager_wants_queue_ && collector_ != Collector::kCaller) ||
         (collector_ == Collector::kNobody && (!AllWorkDoneLocked() || phase_ == Phase::kClosing));
}

void PoolCore::TakeCallbacksForManagerLocked(Callbacks& done) {
  for (std::function<void()>& callback : callbacks_for_manager_) done.push_back(std::move(callback));
  callbacks_for_manager_.clear();
}

void PoolCore::NudgeCollectorLocked() {
  (void)results_->Put(std::string_view(), absl::ZeroDuration());
}

void PoolCore::HandleResults(const std::string& message, Callbacks& done) {
  const Verdict verdict = JudgeAnswer(message, [&](int32_t pid) {
    mutex_.AssertHeld();
    return SenderLocked(pid);
  });
  if (verdict.kind == Verdict::Kind::kIgnore) return;
  if (verdict.kind == Verdict::Kind::kBreakPool) {
    BreakAllLocked(verdict.why, done);
    return;
  }
  // Every other verdict is about a worker of the pool now (answers.h).
  const std::optional<size_t> slot = SlotOfWorker(verdict.worker_pid);
  if (!slot.has_value()) return;
  Worker& worker = workers_[*slot];
  switch (verdict.kind) {
    case Verdict::Kind::kStarted:
      worker.started = true;
      return;
    case Verdict::Kind::kCannotStart:
      // Starting another would fail the same way, forever: stop here and say why.
      BreakLocked(*slot, verdict.why, done);
      return;
    case Verdict::Kind::kFailRunning: {
      // The answer to its running chunk is lost: fail that chunk, and stop the worker.
      // The manager replaces it; the chunks it had not started go to other workers.
      Chunk lost = std::move(worker.in_flight.front());
      worker.in_flight.pop_front();
      Fail(lost, verdict.why, done);
      worker.out_of_step = true;
      (void)worker.process->Kill();
      return;
    }
    case Verdict::Kind::kFile:
      FileAnswerLocked(*slot, verdict.results, done);
      return;
    default:
      return;
  }
}

void PoolCore::FileAnswerLocked(size_t slot, const ResultMessage& results, Callbacks& done) {
  Worker& worker = workers_[slot];
  // Timed by the worker, so neither a wait in its inbox nor a collector that came late
  // (on a busy machine, milliseconds) makes a fast chunk look slow. At least 1 ns: zero
  // means "not timed yet".
  worker.chunk_time = absl::Nanoseconds(std::max<uint64_t>(results.run_ns, 1));
  Chunk chunk = std::move(worker.in_flight.front());
  worker.in_flight.pop_front();
  if (worker.in_flight.size() <= worker.chunk_limit() / 2) worker.refilling = true;
  if (chunk.sent_us != 0) {  // the record's line is written with the callbacks, after the lock
    done.push_back([line = absl::StrCat("collected pool=", record_id_, " worker=", results.worker_pid,
                                        " first=", chunk.first_index, " sent_us=", chunk.sent_us,
                                        " collected_us=", PoolRecordMicros())] { RecordPoolEvent(line); });
  }
  AfterFiling(*chunk.job,
              chunk.job->CompleteEncoded(chunk.first_index, chunk.count, results.values, results.errors),
              done);
  KeepSpareMessageLocked(std::move(chunk.message));
  // A worker that has run its quota exits now; replace it at once rather than at the
  // next check. (Only on the manager's thread: with a quota, callers never collect.)
  const int64_t quota = options_.max_tasks_per_child;
  if (quota > 0 && worker.tasks_sent >= quota && worker.in_flight.empty()) {
    RetireWorkerLocked(slot);
  }
}

Sender PoolCore::SenderLocked(int32_t pid) const {
  const std::optional<size_t> slot = SlotOfWorker(pid);
  if (!slot.has_value()) return {};
  const Worker& worker = workers_[*slot];
  Sender sender{.known = true, .out_of_step = worker.out_of_step, .started = worker.started};
  if (!worker.in_flight.empty()) {
    const Chunk& running = worker.in_flight.front();
    sender.running = ChunkId{running.job_id, running.first_index, running.count};
  }
  return sender;
}

void PoolCore::BreakLocked(size_t slot, const absl::Status& why, Callbacks& done) {
  if (!broken_) broken_ = why;
  Worker& worker = workers_[slot];
  for (Chunk& chunk : worker.in_flight) Fail(chunk, *broken_, done);
  worker.in_flight.clear();
  for (Chunk& chunk : pending_) Fail(chunk, *broken_, done);
  pending_.clear();
}

std::optional<size_t> PoolCore::SlotOfWorker(int32_t pid) const {
  for (size_t slot = 0; slot < workers_.size(); ++slot) {
    if (workers_[slot].process != nullptr && workers_[slot].process->pid() == pid) return slot;
  }
  return std::nullopt;
}

void PoolCore::BreakAllLocked(const absl::Status& why, Callbacks& done) {
  // Any call may be waiting for what was lost (an answer nobody can place, or a queue
  // that can no longer be read): fail them all rather than let one wait forever.
  broken_ = why;
  for (Worker& worker : workers_) {
    for (Chunk& chunk : worker.in_flight) Fail(chunk, *broken_, done);
    worker.in_flight.clear();
    if (worker.process != nullptr) (void)worker.process->Kill();
  }
  Dispatch(done);  // fails what is pending
}

void PoolCore::CheckWorkers(Callbacks& done) {
  for (size_t slot = 0; slot < workers_.size(); ++slot) {
    Worker& worker = workers_[slot];
    if (worker.process == nullptr || worker.process->IsAlive()) continue;
    if (collector_ == Collector::kCaller) {
      // Its last results may be in the caller's hands: ask for the queue back first.
      manager_wants_queue_ = true;
      NudgeCollectorLocked();
      return;
    }
    // Results a worker sent before it exited are in the queue already: file them first,
    // so that only what it really did not finish counts as lost. Drained again for each
    // dead worker found: one that answered and exited after an earlier drain would
    // otherwise lose its answer, and its chunk would count as lost (it was run twice).
    // Counted, not polled: a zero-timeout Get() gives up when it finds the queue's lock
    // held by a worker putting its answer, and would leave answers behind. The manager is
    // the only reader here (a collecting caller was asked for the queue back above).
    std::string message;
    while (results_->size() > 0 && results_->GetInto(message, kWorkerExitGrace).ok()) {
      HandleResults(message, done);
    }
    // Filing may have replaced it already (a worker that ran its quota).
    if (worker.process != nullptr && !worker.process->IsAlive()) ReplaceWorker(slot, done);
  }
}

void PoolCore::ReplaceWorker(size_t slot, Callbacks& done) {
  Worker& worker = workers_[slot];
  const pid_t pid = worker.process->pid().value_or(-1);
  const int exit_code = worker.process->exit_code().value_or(-1);
  const std::string what = DescribeExit(pid, exit_code);
  death_watch_->Forget(pid);
  worker.process.reset();
  // Its start-up report, filed before this (CheckWorkers drains the queue first), says
  // whether it ever ran. One that failed to start said why, and broke the pool then. One
  // that exited on its own without a report could not attach to the results queue:
  // another would fail the same way. (A worker killed before it reported is replaced.)
  // (The bug that lesson 9's claim 5 found, put back: the exit codes a worker uses for
  // its own start-up failures, taken as such even from a running task.)
  const bool start_up_code =
      exit_code == kWorkerCannotAttach || exit_code == kWorkerInitializerFailed;
  if (!worker.started || (start_up_code && BugPutBack("exit_code_taken_for_start_up_failure"))) {
    if (exit_code >= 0) {
      BreakLocked(slot, absl::FailedPreconditionError(absl::StrCat(
                            what, " before it reported its start-up: it could not attach to "
                                  "the pool's results queue, or could not run at all")),
                  done);
    }
    if (broken_) return;
  }
  const bool took_a_chunk =
      worker.inbox != nullptr && worker.inbox->size() < worker.in_flight.size();
  // A worker runs its chunks in order, one at a time: if it took one from its inbox and
  // did not answer it, that is the first in flight, and it ended while running it,
  // however it ended: a crash, a kill, or a task that called exit(0). That chunk fails
  // (or is retried, counted); the rest go back to the front of the queue, in order,
  // untouched. (Exit code 0 is no excuse: a chunk re-sent uncounted would run forever.)
  std::string record_event = absl::StrCat("exit pool=", record_id_, " pid=", pid, " code=", exit_code);
  if (!worker.in_flight.empty() && took_a_chunk) {
    Chunk running = std::move(worker.in_flight.front());
    worker.in_flight.pop_front();
    absl::StrAppend(&record_event, " chunk_first=", running.first_index, " retried=",
                    running.attempts < options_.retries ? 1 : 0);
    if (BugPutBack("dead_workers_chunk_forgotten")) {
      // The bug that lesson 9's claim 1 rules out: the chunk neither fails nor runs
      // again, and its job waits for it for ever.
    } else if (++running.attempts <= options_.retries) {
      worker.in_flight.push_front(std::move(running));
    } else {
      Fail(running, absl::AbortedError(absl::StrCat(what, " while running it")), done);
    }
  }
  RecordPoolEvent(record_event);
  for (auto chunk = worker.in_flight.rbegin(); chunk != worker.in_flight.rend(); ++chunk) {
    pending_.push_front(std::move(*chunk));
  }
  worker.in_flight.clear();
  if (BugPutBack("pool_breaks_when_a_worker_dies")) {
    // The counterfactual of lesson 9's claim 3: concurrent.futures' BrokenProcessPool.
    BreakLocked(slot, absl::AbortedError(absl::StrCat(what, ": the pool is broken")), done);
    return;
  }
  // The manager starts its replacement next, without the lock (StartMissingWorkersLocked).
  worker.needs_start = true;
  worker.replaces = what;
}

void PoolCore::Dispatch(Callbacks& done) {
  if (broken_) {
    for (Chunk& chunk : pending_) Fail(chunk, *broken_, done);
    pending_.clear();
  }
  while (!pending_.empty() && DispatchRound(done)) {
  }
}

bool PoolCore::DispatchRound(Callbacks& done) {
  // Choose (dispatch.h), from a snapshot of the workers.
  absl::InlinedVector<WorkerLoad, 16> loads;
  const bool dealt_up_front = BugPutBack("tasks_dealt_up_front");  // see ChooseDestinations
  for (const Worker& worker : workers_) {
    loads.push_back({.takes_chunks = worker.process != nullptr && (worker.refilling || dealt_up_front),
                     .in_flight = worker.in_flight.size(),
                     .limit = worker.chunk_limit(),
                     .tasks_sent = worker.tasks_sent});
  }
  const Destinations destination = ChooseDestinations(
      loads, pending_.size(),
      [&](size_t index) {
        mutex_.AssertHeld();  // runs within this call
        return pending_[index].count;
      },
      options_.max_tasks_per_child);
  if (destination.empty()) return false;
  // Send: each worker its chunks in one batch (one wake-up, and it finds them all at once).
  absl::InlinedVector<bool, 32> gone(destination.size(), false);  // sent, or failed
  absl::InlinedVector<size_t, 32> share;  // indexes into pending_ of one worker's chunks
  absl::InlinedVector<std::string_view, 32> messages;
  bool failed_one = false;
  const int64_t sent_us = PoolRecordEnabled() ? PoolRecordMicros() : 0;
  for (size_t slot = 0; slot < workers_.size(); ++slot) {
    if (std::find(destination.begin(), destination.end(), slot) == destination.end()) continue;
    Worker& worker = workers_[slot];
    share.clear();
    messages.clear();
    for (size_t index = 0; index < destination.size(); ++index) {
      if (destination[index] != slot) continue;
      share.push_back(index);
      messages.push_back(pending_[index].message);
    }
    absl::StatusOr<size_t> sent = worker.inbox->PutBatch(messages, absl::ZeroDuration());
    if (!sent.ok() && sent.status().code() != absl::StatusCode::kDeadlineExceeded) {
      // The first can never fit (or the inbox is broken): it fails; the rest wait.
      Fail(pending_[share.front()],
           absl::Status(sent.status().code(),
                        absl::StrCat("cannot send it to a worker (", sent.status().message(),
                                     "); raise PoolOptions::queue_bytes or lower the chunksize")),
           done);
      gone[share.front()] = true;
      failed_one = true;
      continue;
    }
    const size_t count = sent.ok() ? *sent : 0;  // DeadlineExceeded: inbox full, later
    for (size_t k = 0; k < count; ++k) {
      Chunk& chunk = pending_[share[k]];
      chunk.sent_us = sent_us;
      worker.tasks_sent += static_cast<int64_t>(chunk.count);
      worker.in_flight.push_back(std::move(chunk));
      gone[share[k]] = true;
    }
    if (worker.in_flight.size() >= worker.chunk_limit()) worker.refilling = false;
  }
  // Those not sent stay at the front of the queue, in their order.
  std::vector<Chunk> kept;
  for (size_t index = 0; index < destination.size(); ++index) {
    if (!gone[index]) kept.push_back(std::move(pending_[index]));
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(destination.size()));
  for (auto chunk = kept.rbegin(); chunk != kept.rend(); ++chunk) pending_.push_front(std::move(*chunk));
  return failed_one;
}

std::string PoolCore::TakeSpareMessageLocked() {
  if (spare_messages_.empty()) return {};
  std::string message = std::move(spare_messages_.back());
  spare_messages_.pop_back();
  message.clear();  // keeps its capacity
  return message;
}

void PoolCore::KeepSpareMessageLocked(std::string message) {
  // Enough to reuse most buffers of a big Map (up to 256 chunks per worker are in flight,
  // dispatch.h, but rarely all at once), and no buffer kept that is bigger than
  // a chunk of ordinary size.
  constexpr size_t kMostSpares = 64;
  constexpr size_t kLargestSpare = size_t{4} << 20;
  if (spare_messages_.size() < kMostSpares && message.capacity() <= kLargestSpare) {
    spare_messages_.push_back(std::move(message));
  }
}

void PoolCore::Fail(Chunk& chunk, const absl::Status& status, Callbacks& done) {
  AfterFiling(*chunk.job, chunk.job->FailAll(chunk.first_index, chunk.count, status), done);
}

void PoolCore::AfterFiling(Job& job, bool completed, Callbacks& done) {
  if (!completed) return;
  if (std::function<void()> on_done = job.TakeOnDone()) done.push_back(std::move(on_done));
}

bool PoolCore::AllWorkDoneLocked() const {
  if (!pending_.empty() || submitting_ > 0) return false;
  return std::all_of(workers_.begin(), workers_.end(),
                     [](const Worker& worker) { return worker.in_flight.empty(); });
}

absl::Status PoolCore::Submit(const EngineCall& call) {
  const auto* tasks = std::get_if<EncodedTasks>(&call.tasks);
  if (tasks == nullptr) return WrongFormOfTasks(RunsTasksHere());
  call.job->LendWaitHelper(lender_);
  return SubmitChunks(tasks->task_name, call.job, call.chunksize, tasks->encode_args,
                      /*collecting=*/false);
}

absl::Status PoolCore::SubmitAndWait(const EngineCall& call) {
  const auto* tasks = std::get_if<EncodedTasks>(&call.tasks);
  if (tasks == nullptr) return WrongFormOfTasks(RunsTasksHere());
  const std::shared_ptr<Job>& job = call.job;
  // A job of many chunks is better served by two threads: the manager files results and
  // sends more while the caller encodes (a Map of many chunks was slower when the caller
  // did both: design_measurements.md). A job whose chunks all fit in the workers'
  // inboxes at once only waits: there the caller saves a wake-up.
  const size_t chunksize = std::max<size_t>(call.chunksize, 1);
  const size_t chunks = (job->size() + chunksize - 1) / chunksize;
  bool collecting = false;
  {
    MutexLock lock(mutex_);
    if (collector_ == Collector::kNobody && options_.max_tasks_per_child == 0 &&
        chunks <= workers_.size() * kChunksInFlight) {
      collector_ = Collector::kCaller;
      collecting = true;
    }
  }
  const absl::Status submitted =
      SubmitChunks(tasks->task_name, job, chunksize, tasks->encode_args, collecting);
  if (collecting && submitted.ok()) {
    // The caller collects its own results meanwhile: recorded like a wait, since it is one.
    const int64_t start_us = PoolRecordEnabled() ? PoolRecordMicros() : 0;
    CollectUntilDone(*job, absl::InfiniteFuture());
    if (start_us != 0) RecordPoolWait(record_id_, start_us, /*collecting=*/true, /*timed_out=*/false);
  }
  if (collecting) StopCollectingAsCaller();
  if (submitted.ok()) job->Wait(absl::InfiniteDuration());
  return submitted;
}

void PoolCore::StopCollectingAsCaller() {
  MutexLock lock(mutex_);
  collector_ = Collector::kNobody;
  if (ManagerHasWorkLocked()) manager_wake_.Signal();
}

void PoolCore::CollectForWaiter(const Job& job, absl::Time deadline) {
  {
    MutexLock lock(mutex_);
    // As SubmitAndWait: not while the manager (or another caller) collects, and not with
    // max_tasks_per_child, where only the manager may start the worker that replaces one.
    if (collector_ != Collector::kNobody || options_.max_tasks_per_child != 0 ||
        phase_ != Phase::kRunning) {
      return;
    }
    collector_ = Collector::kCaller;
  }
  // (Job::Wait() records this wait, as one.)
  CollectUntilDone(job, deadline);
  StopCollectingAsCaller();
}

void PoolCore::CollectUntilDone(const Job& job, absl::Time deadline) {
  std::string message;
  while (!job.ResultsIn()) {
    {
      MutexLock lock(mutex_);
      if (manager_wants_queue_ || phase_ == Phase::kTerminating || phase_ == Phase::kFinished) return;
    }
    const absl::Time now = absl::Now();
    if (now >= deadline) return;
    // The manager's nudge ends this wait early if it wants the queue back.
    ByteQueue& results =
        job.size() < static_cast<size_t>(options_.workers) ? *results_watched_ : *results_;
    const absl::Status got = results.GetInto(message, std::min(kCheckInterval, deadline - now));
    if (got.ok()) {
      MutexLock lock(mutex_);
      FileCollectedLocked(message);
    } else if (got.code() == absl::StatusCode::kDataLoss) {
      MutexLock lock(mutex_);
      Callbacks done;
      QueueDamagedLocked(got, done);
      HandCallbacksToManagerLocked(done);
      return;
    }
  }
}

void PoolCore::FileCollectedLocked(const std::string& message) {
  Callbacks done;
  HandleResults(message, done);
  Dispatch(done);
  HandCallbacksToManagerLocked(done);
}

void PoolCore::HandCallbacksToManagerLocked(Callbacks& done) {
  if (done.empty()) return;
  for (std::function<void()>& callback : done) callbacks_for_manager_.push_back(std::move(callback));
  manager_wake_.Signal();
}

void PoolCore::QueueDamagedLocked(const absl::Status& why, Callbacks& done) {
  if (broken_) return;  // every later Get() says the same
  BreakAllLocked(absl::DataLossError(absl::StrCat(
                     "the pool's results queue was damaged (a task may have written over "
                     "memory it does not own): ", why.message())),
                 done);
}

absl::Status PoolCore::SubmitChunks(std::string_view task_name, std::shared_ptr<Job> job,
                                    size_t chunksize,
                                    absl::FunctionRef<void(size_t, size_t, std::string&)> encode_args,
                                    bool collecting) {
  std::string buffer;  // for the next chunk's message
  std::string collected;  // a result message, when collecting
  {
    MutexLock lock(mutex_);
    if (broken_) return *broken_;
    if (phase_ != Phase::kRunning) {
      return absl::FailedPreconditionError(
          "the pool is closed or terminated: it takes no more work");
    }
    ++submitting_;  // accepted: Close() now waits for the rest of this job's chunks
    buffer = TakeSpareMessageLocked();
  }
  // Each chunk goes to the workers as soon as it is encoded, so that they start on it
  // while the caller encodes the next: encoding is the serial part of a big Map. It is
  // encoded without the lock, which the manager needs for every result.
  const uint64_t job_id = next_job_id_.fetch_add(1);
  if (PoolRecordEnabled()) job->RecordAs(record_id_);
  const size_t tasks = job->size();
  chunksize = std::max<size_t>(chunksize, 1);
  Callbacks done;
  for (size_t first = 0; first < tasks; first += chunksize) {
    Chunk chunk{.job = job, .job_id = job_id, .first_index = first,
                .count = std::min(chunksize, tasks - first), .message = std::move(buffer)};
    const size_t args_start = BeginChunk(
        {.job = job_id, .first_index = first, .count = chunk.count, .task_name = task_name},
        chunk.message);
    encode_args(first, chunk.count, chunk.message);
    EndChunk(args_start, chunk.message);
    MutexLock lock(mutex_);
    if (phase_ == Phase::kTerminating || phase_ == Phase::kFinished) {
      // Terminate() came while we were encoding: this chunk is cancelled like the rest.
      Fail(chunk, absl::CancelledError("the pool was terminated"), done);
    } else {
      pending_.push_back(std::move(chunk));
      Dispatch(done);
      if (collecting) {
        // File what has come back so far, as the manager would: it makes room for more.
        while (results_->GetInto(collected, absl::ZeroDuration()).ok()) FileCollectedLocked(collected);
      } else if (collector_ == Collector::kNobody) {
        manager_wake_.Signal();  // someone must collect this job's results
      }
    }
    buffer = TakeSpareMessageLocked();
  }
  {
    MutexLock lock(mutex_);
    --submitting_;
    KeepSpareMessageLocked(std::move(buffer));
  }
  for (std::function<void()>& callback : done) callback();
  return absl::OkStatus();
}

void PoolCore::Close() {
  RecordPoolEvent(absl::StrCat("close pool=", record_id_));
  MutexLock lock(mutex_);
  if (phase_ == Phase::kRunning) phase_ = Phase::kClosing;
  manager_wake_.Signal();
}

absl::Status PoolCore::Join(absl::Duration timeout) {
  const int64_t start_us = PoolRecordEnabled() ? PoolRecordMicros() : 0;
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status joined = [&] {
    MutexLock lock(mutex_);
    if (phase_ == Phase::kRunning) {
      return absl::FailedPreconditionError("Join() needs Close() or Terminate() first");
    }
    while (phase_ != Phase::kFinished) {
      if (!phase_changed_.WaitUntil(mutex_, deadline) && phase_ != Phase::kFinished) {
        return absl::DeadlineExceededError("Join(): the pool's work is not done yet");
      }
    }
    return absl::OkStatus();
  }();
  if (joined.ok()) joined_ = true;
  RecordPoolJoin(record_id_, joined, start_us);
  return joined;
}

void PoolCore::Terminate() {
  RecordPoolEvent(absl::StrCat("terminate pool=", record_id_));
  Stop();
}

void PoolCore::Stop() {
  MutexLock lock(mutex_);
  if (phase_ == Phase::kFinished) return;
  phase_ = Phase::kTerminating;
  manager_wake_.Signal();
  while (phase_ != Phase::kFinished) phase_changed_.Wait(mutex_);
}

std::vector<pid_t> PoolCore::WorkerPids() const {
  MutexLock lock(mutex_);
  // A dead worker's task fails before its replacement has started (the manager starts it
  // without the lock): wait for the replacement, so the pool shows its full size.
  while (phase_ == Phase::kRunning && !broken_ &&
         std::any_of(workers_.begin(), workers_.end(),
                     [](const Worker& worker) { return worker.process == nullptr; })) {
    phase_changed_.Wait(mutex_);
  }
  std::vector<pid_t> pids;
  for (const Worker& worker : workers_) {
    if (worker.process != nullptr && worker.process->pid()) pids.push_back(*worker.process->pid());
  }
  return pids;
}

}  // namespace mp::internal
