// WaitFor: std::condition_variable::wait_for with an absl::Duration, where an infinite
// duration waits forever (wait_for cannot express that: it would overflow).

#ifndef MP_POOL_INTERNAL_WAIT_FOR_H_
#define MP_POOL_INTERNAL_WAIT_FOR_H_

#include <condition_variable>
#include <mutex>

#include "absl/time/time.h"

namespace mp::internal {

// Waits on `condition` until `done()` or `timeout`; returns done().
template <typename Done>
bool WaitFor(std::condition_variable& condition, std::unique_lock<std::mutex>& lock,
             absl::Duration timeout, Done done) {
  if (timeout == absl::InfiniteDuration()) {
    condition.wait(lock, done);
    return true;
  }
  return condition.wait_for(lock, absl::ToChronoNanoseconds(timeout), done);
}

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_WAIT_FOR_H_
