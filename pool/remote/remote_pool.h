// mp::RemotePool: the interface of mp::Pool (Map, Starmap, Imap, ImapUnordered, MapAsync,
// ApplyAsync, Close, Join, Terminate), run on worker hosts over gRPC (//pool/remote:worker).
//
//   absl::StatusOr<mp::RemotePool> pool = mp::RemotePool::Create(
//       {.hosts = {"10.0.0.2:7070", "10.0.0.3:7070"}, .auth_token = token});
//   absl::StatusOr<std::vector<int>> doubled = pool->Map(Double, std::vector<int>{1, 2, 3});
//
// The tasks are MP_POOL_TASK functions, as for Pool, and every host must be a program
// that registers them too (link them into a worker binary: see worker_main.cc).
//
// What is different from a Pool on one machine (see concepts/10_going_distributed):
// - Partial failure: a host can die, or the network to it fail, while the others run on.
//   Its unfinished chunks are re-run on the other hosts, so a task may run more than once
//   (at-least-once); a task with side effects must tolerate that. Each result is filed
//   once. With no host left, unfinished tasks fail with Unavailable.
// - Every call has a deadline (call_timeout): a chunk a host does not finish in time
//   fails with DeadlineExceeded rather than wait forever.
// - Create() checks every host first: one that does not answer within connect_timeout,
//   or refuses the token, is an error naming it.
// - Task errors name the host: "task 7 failed on 10.0.0.2:7070 (host pid 812): ...".

#ifndef MP_POOL_REMOTE_REMOTE_POOL_H_
#define MP_POOL_REMOTE_REMOTE_POOL_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pool/pool_calls.h"
#include "pool/remote/remote_core.h"

namespace mp {

// RemotePoolOptions (hosts, token, timeouts): remote_core.h.
class RemotePool : public PoolCalls<internal::RegisteredTasks> {
 public:
  static absl::StatusOr<RemotePool> Create(RemotePoolOptions options);

  // Each host: its address, workers, whether it is alive (and why not), chunks it ran.
  std::vector<remote::HostStatus> Hosts() const {
    return static_cast<const remote::RemoteCore&>(engine()).Hosts();  // Create() made it one
  }

 private:
  explicit RemotePool(std::unique_ptr<remote::RemoteCore> core) : PoolCalls(std::move(core)) {}
};

}  // namespace mp

#endif  // MP_POOL_REMOTE_REMOTE_POOL_H_
