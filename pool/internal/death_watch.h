// DeathWatch: tells the pool's manager at once when one of its workers ends, instead of
// the manager looking every few milliseconds.
//
// Each watched process has a pidfd (readable once the process has ended, whoever reaps
// it); one thread sleeps in epoll_wait() on all of them and calls `on_death` when one
// becomes readable. The manager cannot wait on them itself: it sleeps on the results
// queue, a futex in shared memory, which no poll() or epoll() can watch.
//
// `on_death(pid)` runs on the watch's thread, once for each watched process that ends, never with the watch's own lock held, so it
// may take the caller's locks even while the caller, holding them, calls Watch() or
// Forget().

#ifndef MP_POOL_INTERNAL_DEATH_WATCH_H_
#define MP_POOL_INTERNAL_DEATH_WATCH_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/annotated_mutex.h"
#include "base/unique_fd.h"

namespace mp::internal {

class DeathWatch {
 public:
  // Starts the watch's thread. An error if epoll or eventfd is unavailable.
  static absl::StatusOr<std::unique_ptr<DeathWatch>> Start(std::function<void(pid_t)> on_death);
  ~DeathWatch();  // stops the thread; on_death is not called after it returns
  DeathWatch(const DeathWatch&) = delete;
  DeathWatch& operator=(const DeathWatch&) = delete;

  // Calls on_death once `pid` has ended (at once if it has already). An error if the
  // kernel has no pidfds, or the process has ended and been reaped already (ESRCH):
  // then the caller must look for itself.
  absl::Status Watch(pid_t pid);
  // Stops watching `pid`. If it ended before this call, on_death may still be called
  // for it (once); if it ends after, never.
  void Forget(pid_t pid);

 private:
  DeathWatch(std::function<void(pid_t)> on_death, UniqueFd epoll, UniqueFd stop)
      : on_death_(std::move(on_death)), epoll_(std::move(epoll)), stop_(std::move(stop)) {}
  void Run();  // the thread's body

  const std::function<void(pid_t)> on_death_;
  const UniqueFd epoll_;
  const UniqueFd stop_;  // an eventfd: readable once the destructor wants the thread to end
  Mutex mutex_;
  std::map<pid_t, UniqueFd> pidfds_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_DEATH_WATCH_H_
