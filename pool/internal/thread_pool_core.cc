#include "pool/internal/thread_pool_core.h"

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace mp::internal {

ThreadPoolCore::ThreadPoolCore(int threads) {
  RecordPoolEvent(absl::StrCat("create pool=", record_id_, " engine=threads workers=", threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back(&ThreadPoolCore::Serve, this);
}

ThreadPoolCore::~ThreadPoolCore() {
  if (!joined_) RecordPoolEvent(absl::StrCat("destroy pool=", record_id_, " without=join"));
  Stop();
  for (std::thread& thread : threads_) thread.join();
}

void ThreadPoolCore::Serve() {
  const pid_t tid = gettid();
  RecordPoolEvent(absl::StrCat("thread pool=", record_id_, " tid=", tid));
  MutexLock lock(mutex_);
  while (true) {
    while (queue_.empty() && phase_ == Phase::kRunning) changed_.Wait(mutex_);
    if (queue_.empty()) break;  // closing or terminating, nothing left
    Chunk chunk = std::move(queue_.front());
    queue_.pop_front();
    mutex_.Unlock();
    const int64_t start_us = PoolRecordEnabled() ? PoolRecordMicros() : 0;
    const bool completed = (*chunk.run)(chunk.first, chunk.count);
    if (start_us != 0) {
      RecordPoolEvent(absl::StrCat("thread_ran pool=", record_id_, " tid=", tid, " first=", chunk.first,
                                   " count=", chunk.count, " start_us=", start_us));
    }
    AfterFiling(*chunk.job, completed);
    chunk = {};  // the call's inputs may go before the lock is taken again
    mutex_.Lock();
  }
  ++exited_;
  changed_.SignalAll();
}

void ThreadPoolCore::AfterFiling(Job& job, bool completed) {
  if (!completed) return;
  if (std::function<void()> on_done = job.TakeOnDone()) on_done();
}

absl::Status ThreadPoolCore::Submit(const EngineCall& call) {
  const auto* tasks = std::get_if<TasksHere>(&call.tasks);
  if (tasks == nullptr) return WrongFormOfTasks(RunsTasksHere());
  auto run = std::make_shared<const std::function<bool(size_t, size_t)>>(tasks->run);
  if (PoolRecordEnabled()) call.job->RecordAs(record_id_);
  const size_t count = call.job->size();
  const size_t chunksize = std::max<size_t>(call.chunksize, 1);
  {
    MutexLock lock(mutex_);
    if (phase_ != Phase::kRunning) {
      return absl::FailedPreconditionError(
          "the pool is closed or terminated: it takes no more work");
    }
    for (size_t first = 0; first < count; first += chunksize) {
      queue_.push_back({call.job, run, first, std::min(chunksize, count - first)});
    }
  }
  changed_.SignalAll();
  return absl::OkStatus();
}

void ThreadPoolCore::Close() {
  RecordPoolEvent(absl::StrCat("close pool=", record_id_));
  MutexLock lock(mutex_);
  if (phase_ == Phase::kRunning) phase_ = Phase::kClosing;
  changed_.SignalAll();
}

absl::Status ThreadPoolCore::Join(absl::Duration timeout) {
  const int64_t start_us = PoolRecordEnabled() ? PoolRecordMicros() : 0;
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status joined = [&] {
    MutexLock lock(mutex_);
    if (phase_ == Phase::kRunning) {
      return absl::FailedPreconditionError("Join() needs Close() or Terminate() first");
    }
    while (!AllExitedLocked()) {
      if (!changed_.WaitUntil(mutex_, deadline) && !AllExitedLocked()) {
        return absl::DeadlineExceededError("Join(): the pool's work is not done yet");
      }
    }
    return absl::OkStatus();
  }();
  if (joined.ok()) joined_ = true;
  RecordPoolJoin(record_id_, joined, start_us);
  return joined;
}

void ThreadPoolCore::Terminate() {
  RecordPoolEvent(absl::StrCat("terminate pool=", record_id_));
  Stop();
}

void ThreadPoolCore::Stop() {
  std::deque<Chunk> cancelled;
  {
    MutexLock lock(mutex_);
    phase_ = Phase::kTerminating;
    cancelled.swap(queue_);
  }
  changed_.SignalAll();
  for (Chunk& chunk : cancelled) {
    AfterFiling(*chunk.job, chunk.job->FailAll(chunk.first, chunk.count,
                                               absl::CancelledError("the pool was terminated")));
  }
  MutexLock lock(mutex_);
  while (!AllExitedLocked()) changed_.Wait(mutex_);
}

}  // namespace mp::internal
