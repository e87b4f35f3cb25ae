// Job: the results of one Map, Imap or ApplyAsync call as they arrive, in encoded form,
// shared by the pool (which fills it) and the caller's handle (which reads it).

#ifndef MP_POOL_INTERNAL_JOB_H_
#define MP_POOL_INTERNAL_JOB_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mp::internal {

class Job {
 public:
  explicit Job(size_t tasks) : results_(tasks), remaining_(tasks) {}

  size_t size() const { return results_.size(); }

  // Records task `index`'s result, if it has none yet. Returns true if that completed
  // the job; the caller then runs TakeOnDone() (outside its own locks).
  bool Complete(size_t index, absl::StatusOr<std::string> result);
  // The same for tasks first, first + 1, ...: one lock for a whole chunk.
  bool CompleteAll(size_t first, std::vector<absl::StatusOr<std::string>> results);

  // Runs once when the last result arrives (or at once, if it has already).
  void SetOnDone(std::function<void()> on_done);
  std::function<void()> TakeOnDone();

  bool Ready() const;
  // Waits until every result is in; false if `timeout` passed first.
  bool Wait(absl::Duration timeout) const;

  // Task `index`'s result; only after it arrived (Wait() or Ready() said so, or
  // NextIndex() gave it). Unlocked: a result never changes once set, and the lock taken
  // by those calls already ordered its writing before this read.
  const absl::StatusOr<std::string>& Result(size_t index) const { return *results_[index]; }

  // For Imap (ordered: the next index in order) and ImapUnordered (the next to complete):
  // the index of the next result to hand out, waiting up to `timeout` for it.
  // OutOfRange once all were handed out; DeadlineExceeded on timeout.
  absl::StatusOr<size_t> NextIndex(bool ordered, absl::Duration timeout);

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::optional<absl::StatusOr<std::string>>> results_;
  size_t remaining_;
  std::deque<size_t> completion_order_;  // for the unordered stream
  size_t handed_out_ = 0;
  int streaming_waiters_ = 0;  // threads in NextIndex(), which need every result
  std::function<void()> on_done_;
};

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_JOB_H_
