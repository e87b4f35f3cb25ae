// Job: the results of one Map, Imap or ApplyAsync call as they arrive, shared by the pool
// (which fills it) and the caller's handle (which reads it).
//
// Two layers: Job is what the untyped engines see (how many tasks are done, waiting,
// streaming, the done callback), and TypedJob<R> holds the results themselves, decoded
// once, a chunk at a time, as they arrive. So reading a result costs nothing, and a
// ThreadPool, whose results never cross a process boundary, never encodes them at all.

#ifndef MP_POOL_INTERNAL_JOB_H_
#define MP_POOL_INTERNAL_JOB_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/annotated_mutex.h"
#include "base/arg_codec.h"
#include "base/unique_fd.h"
#include "pool/internal/chunk_codec.h"
#include "pool/internal/wire.h"
#include "pool/pool_task.h"
#include "pool/task_exception.h"

namespace mp::internal {

// Asks the kernel to back the 2 MiB-aligned middle of [data, data + bytes) with huge
// pages, if it is big enough to have one, before anything is written there.
void AdviseHugePages(void* data, size_t bytes);

class Job;

// Lent to a job by an engine whose results a waiting thread can collect itself (PoolCore):
// Job::Wait() first lends its thread to it, so that the result need not pass through the
// engine's own thread on its way to the caller.
class WaitHelper {
 public:
  virtual ~WaitHelper() = default;
  // Collects results until `job`'s are all in or `deadline` passes; returns at once if
  // it cannot (someone else collects). Wait() then waits as usual.
  virtual void CollectFor(const Job& job, absl::Time deadline) = 0;
};

class Job : public std::enable_shared_from_this<Job> {
 public:
  // `unordered_stream`: results will be read in the order they complete (ImapUnordered),
  // so that order is recorded.
  Job(size_t tasks, bool unordered_stream)
      : state_(tasks, kPending),
        remaining_(tasks),
        record_completion_order_(unordered_stream),
        tasks_(tasks) {}
  virtual ~Job() = default;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  size_t size() const { return tasks_; }

  // Files the outcome of tasks first .. first + count - 1 as a worker process sent them:
  // `values` holds the encoded results of those that succeeded, one after another, and
  // `errors` the others (index within the chunk, sorted). Tasks already filed are left
  // as they are. Returns true if that completed the job; the caller then runs
  // TakeOnDone() (outside its own locks).
  virtual bool CompleteEncoded(size_t first, size_t count, std::string_view values,
                               const std::vector<TaskError>& errors) = 0;
  // Files `status` as the outcome of tasks first .. first + count - 1, each message
  // prefixed with "task <index>: ".
  virtual bool FailAll(size_t first, size_t count, const absl::Status& status) = 0;

  // Runs once when the last result arrives (or at once, if it has already). As in
  // Python, a job with an on-done callback is not reported complete (Ready(), Wait(),
  // Successful()) until the callback has returned: whoever waits for the result may rely
  // on what the callback did. (So a callback must not wait for its own job.)
  void SetOnDone(std::function<void()> on_done);
  // The on-done callback, once the job is complete, to run outside the caller's locks;
  // running it marks the job complete. Empty if there is none, or it was taken already.
  // It keeps the job alive until it has run. Jobs must be owned by a std::shared_ptr.
  std::function<void()> TakeOnDone();

  // A descriptor that becomes readable when the job is complete (as Ready() says) and
  // stays readable, for mp::Wait() (process/wait.h); made on first use, owned by the job.
  absl::StatusOr<int> Sentinel();

  // The pool this job belongs to, as the record names it ("4211.1"): set by the engine
  // when the job is submitted, so that a wait on it is recorded (process/life_record.h).
  void RecordAs(std::string pool_id) ABSL_LOCKS_EXCLUDED(mutex_);

  // By the engine, before the job is handed to the caller; never changed afterwards.
  void LendWaitHelper(std::shared_ptr<WaitHelper> helper) { helper_ = std::move(helper); }

  bool Ready() const;
  // Every task's result is filed (its on-done callback may still be to run).
  bool ResultsIn() const;
  // Ready, and no task failed.
  bool Successful() const;
  // Waits until every result is in (and the on-done callback has run); false if
  // `timeout` passed first. A wait that had to wait is recorded as a "wait" line.
  bool Wait(absl::Duration timeout) const;

  // For Imap (ordered: the next index in order) and ImapUnordered (the next to complete):
  // the index of the next result to hand out, waiting up to `timeout` for it.
  // OutOfRange once all were handed out; DeadlineExceeded on timeout.
  absl::StatusOr<size_t> NextIndex(bool ordered, absl::Duration timeout);

 protected:
  // Under the job's lock, for each task in first .. first + count - 1:
  // `file(index, pending)` (which runs under the lock) takes its outcome (always, so that an encoded one keeps its
  // place), stores it if `pending` (not filed before) and says whether it succeeded.
  // Returns true if this completed the job.
  template <typename File>
  bool FileEach(size_t first, size_t count, File file) ABSL_LOCKS_EXCLUDED(mutex_) {
    MutexLock lock(mutex_);
    bool changed = false;
    for (size_t index = first; index < first + count && index < state_.size(); ++index) {
      const bool pending = state_[index] == kPending;
      const bool succeeded = file(index, pending);
      if (!pending) continue;
      state_[index] = succeeded ? kSucceeded : kFailed;
      failed_ += succeeded ? 0 : 1;
      if (record_completion_order_) completion_order_.push_back(index);
      --remaining_;
      changed = true;
    }
    return changed && Filed();
  }

  // FileEach's fast path, for a chunk whose tasks all succeeded: `store()` stores them
  // all at once. Stores nothing and returns nullopt if one of them was filed before;
  // otherwise whether this completed the job.
  template <typename Store>
  std::optional<bool> FileAllSucceeded(size_t first, size_t count, Store store)
      ABSL_LOCKS_EXCLUDED(mutex_) {
    MutexLock lock(mutex_);
    if (count == 0 || first > state_.size() || count > state_.size() - first) return std::nullopt;
    const auto begin = state_.begin() + static_cast<ptrdiff_t>(first);
    const auto end = begin + static_cast<ptrdiff_t>(count);
    if (!AllPending(&*begin, count)) return std::nullopt;
    store();
    std::fill(begin, end, kSucceeded);
    for (size_t index = first; record_completion_order_ && index < first + count; ++index) {
      completion_order_.push_back(index);
    }
    remaining_ -= count;
    return Filed();
  }

  // Guards what FileEach changes, here and in TypedJob.
  mutable Mutex mutex_;

 private:
  enum TaskState : uint8_t { kPending = 0, kSucceeded, kFailed };
  // Whether states[0 .. count - 1] are all kPending (zero), eight at a time: a chunk of a
  // ThreadPool's Map can be 100,000 tasks, and a byte-by-byte check cost more than
  // running them.
  static bool AllPending(const TaskState* states, size_t count) {
    uint64_t any = 0;
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
      uint64_t eight;
      std::memcpy(&eight, states + i, 8);
      any |= eight;
    }
    for (; i < count; ++i) any |= states[i];
    return any == 0;
  }
  // After a change: wakes who needs it; true if every result is in.
  bool Filed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Every result is in and no on-done callback is still to run.
  bool CompleteLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return remaining_ == 0 && !on_done_pending_;
  }

  // A short wait (an Apply, a small Map) usually ends within microseconds; putting the
  // waiting thread to sleep and waking it costs tens of them on a VM. So Wait() first
  // watches `complete_` this long, where another CPU can file the results meanwhile.
  static constexpr absl::Duration kSpinBeforeSleeping = absl::Microseconds(20);
  void SpinUntilComplete(absl::Duration spin) const;

  mutable CondVar changed_;
  // CompleteLocked(), kept for SpinUntilComplete() to read without the lock.
  std::atomic<bool> complete_ = false;
  // Once complete: sets complete_ and makes the sentinel readable.
  void MarkCompleteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  UniqueFd sentinel_ ABSL_GUARDED_BY(mutex_);  // an eventfd, once Sentinel() was called
  std::string record_pool_ ABSL_GUARDED_BY(mutex_);  // RecordAs()
  std::vector<TaskState> state_ ABSL_GUARDED_BY(mutex_);
  size_t remaining_ ABSL_GUARDED_BY(mutex_);
  size_t failed_ ABSL_GUARDED_BY(mutex_) = 0;
  const bool record_completion_order_;
  std::deque<size_t> completion_order_ ABSL_GUARDED_BY(mutex_);
  size_t handed_out_ ABSL_GUARDED_BY(mutex_) = 0;
  // Threads in NextIndex(), which need every result.
  int streaming_waiters_ ABSL_GUARDED_BY(mutex_) = 0;
  std::function<void()> on_done_ ABSL_GUARDED_BY(mutex_);
  // Set with on_done_, cleared when it has run.
  bool on_done_pending_ ABSL_GUARDED_BY(mutex_) = false;
  const size_t tasks_;  // never changes: read without the lock
  // LendWaitHelper(): set before the job is shared, then only read.
  std::shared_ptr<WaitHelper> helper_;
};

// Results are stored as values, one per task, and errors by task index: for numbers a
// job is a plain array, read back with one copy.
template <typename R>
class TypedJob : public Job {
  // bool results are kept as chars: std::vector<bool> packs bits, and writing one bit
  // writes its neighbours too.
  using Slot = std::conditional_t<std::is_same_v<R, bool>, char, R>;

 public:
  static_assert(std::is_default_constructible_v<R>,
                "a pool's results must be default-constructible (a slot is made for each)");

  explicit TypedJob(size_t tasks, bool unordered_stream = false)
      : Job(tasks, unordered_stream) {
    // A million results are 8 MB: with 4 KiB pages, 2048 page faults (each page zeroed
    // by the kernel and mapped alone), a large share of a trivial Map's time on a fresh
    // heap (benchmarks/results/design_measurements.md); with 2 MiB pages, a handful.
    values_.reserve(tasks);
    AdviseHugePages(values_.data(), tasks * sizeof(Slot));
    values_.resize(tasks);
  }

  // For an engine that runs tasks in this process (ThreadPool): where task `index`'s
  // value goes. Only the thread running that task writes it, before FileRunHere() files
  // it; filing, under the job's lock, is what makes it visible to readers.
  Slot& SlotHere(size_t index) { return values_[index]; }
  // Files tasks first .. first + count - 1, run in this process: each succeeded with the
  // value in its slot, except those in `errors` (ascending by index). True if that
  // completed the job.
  bool FileRunHere(size_t first, size_t count,
                   const std::vector<std::pair<size_t, absl::Status>>& errors) {
    if (errors.empty()) {
      std::optional<bool> completed = FileAllSucceeded(first, count, [] {});
      if (completed.has_value()) return *completed;
    }
    auto error = errors.begin();
    return FileEach(first, count, [&](size_t index, bool pending) {
      mutex_.AssertHeld();
      if (error == errors.end() || error->first != index) return true;
      if (pending) errors_.emplace(index, error->second);
      ++error;
      return false;
    });
  }

  bool CompleteEncoded(size_t first, size_t count, std::string_view values,
                       const std::vector<TaskError>& errors) override {
    if constexpr (IsRawEncoded<R>()) {
      // Numbers and plain structs, all succeeded: the chunk's results are an array.
      if (ChunkResultsAreArray<R>(values, count, !errors.empty())) {
        std::optional<bool> completed = FileAllSucceeded(first, count, [&] {
          std::memcpy(static_cast<void*>(&values_[first]), values.data(), values.size());
        });
        if (completed.has_value()) return *completed;
      }
    }
    auto error = errors.begin();
    return FileEach(first, count, [&](size_t index, bool pending) {
      mutex_.AssertHeld();
      if (error != errors.end() && error->index == index - first) {
        if (pending) {
          absl::Status status(static_cast<absl::StatusCode>(error->code), error->message);
          AttachTaskExceptionPayload(error->exception, status);
          errors_.emplace(index, std::move(status));
        }
        ++error;
        return false;
      }
      Slot unused;  // an outcome filed before is kept; this one only has its place skipped
      if (!Decode(values, pending ? values_[index] : unused)) {
        if (pending) errors_.emplace(index, absl::DataLossError("the task's result arrived damaged"));
        return false;
      }
      return true;
    });
  }

  bool FailAll(size_t first, size_t count, const absl::Status& status) override {
    return FileEach(first, count, [&](size_t index, bool pending) {
      mutex_.AssertHeld();
      if (pending) {
        errors_.emplace(index, absl::Status(status.code(),
                                            absl::StrCat("task ", index, ": ", status.message())));
      }
      return false;
    });
  }

  // Task `index`'s result; only after it arrived (Wait() or Ready() said so, or
  // NextIndex() gave it). The errors are looked up under the job's lock: while a stream
  // reads one task's, the manager may be filing another's into the same map. The value
  // itself needs no lock: it never changes once set, and the lock taken by those calls
  // ordered its writing before this read.
  absl::StatusOr<R> Result(size_t index) const {
    {
      MutexLock lock(mutex_);
      if (auto found = errors_.find(index); found != errors_.end()) return found->second;
    }
    return static_cast<R>(values_[index]);
  }

  // After Wait(): every result in order, or the error of the first task that failed.
  absl::StatusOr<std::vector<R>> AllResults() const {
    if (std::optional<absl::Status> error = FirstError()) return *std::move(error);
    return std::vector<R>(values_.begin(), values_.end());
  }
  // The same, moving the results out: for a caller that is the job's last reader.
  absl::StatusOr<std::vector<R>> TakeAllResults() {
    if (std::optional<absl::Status> error = FirstError()) return *std::move(error);
    if constexpr (std::is_same_v<Slot, R>) {
      return std::move(values_);
    } else {
      return std::vector<R>(values_.begin(), values_.end());
    }
  }

 private:
  std::optional<absl::Status> FirstError() const ABSL_LOCKS_EXCLUDED(mutex_) {
    MutexLock lock(mutex_);
    if (errors_.empty()) return std::nullopt;
    return errors_.begin()->second;
  }

  // One value: decoded in place; false if damaged (or undecodable: only a ThreadPool's
  // results may be of such a type, and they never arrive encoded).
  static bool Decode(std::string_view& values, Slot& value) {
    if constexpr (std::is_same_v<R, NoResult>) {
      return true;
    } else if constexpr (!IsEncodable<R>()) {
      return false;
    } else {
      return internal::Decode(values, value);
    }
  }

  // Written under the job's lock (in FileEach) and read without it: each value never
  // changes once filed, and the lock taken by Wait(), Ready() or NextIndex(), which
  // said it was filed, ordered its writing before the read.
  std::vector<Slot> values_;
  // By task index.
  std::map<size_t, absl::Status> errors_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_JOB_H_
