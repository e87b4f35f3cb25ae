// RemoteCore: the engine under mp::RemotePool. It holds a channel to each worker host,
// sends chunks to them over gRPC, files their results, watches their health, and moves
// the chunks of a host that died to the others.
//
// Spreading by capacity: each host has (its workers + 1) calls in flight, each a chunk,
// from sender threads that take the next chunk as soon as their last one is answered.
// A host with twice the workers therefore takes about twice the chunks, and a slow host
// takes fewer.
//
// A host is declared dead when a call to it fails at the transport (UNAVAILABLE: the
// connection broke or was refused) or it misses a health check; its calls still in
// flight are cancelled, and their chunks go to the front of the queue for the other
// hosts. A chunk may therefore run twice (once, partly, on the host that died): delivery
// is at-least-once, like any retry over a network. The results are filed once.
// When no host is left, every unfinished task fails with UNAVAILABLE.

#ifndef MP_POOL_REMOTE_REMOTE_CORE_H_
#define MP_POOL_REMOTE_REMOTE_CORE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/annotated_mutex.h"
#include "grpcpp/grpcpp.h"
#include "process/life_record.h"
#include "pool/internal/engine.h"
#include "pool/internal/job.h"
#include "pool/remote/worker_host.grpc.pb.h"

namespace mp {

struct RemotePoolOptions {
  // "host:port" of each worker host.
  std::vector<std::string> hosts = {};
  // The hosts' token (their --auth_token_file or MP_WORKER_AUTH_TOKEN); empty for hosts
  // that need none (on a unix: socket file).
  std::string auth_token = {};
  // A PEM file of the certificate authorities that signed the hosts' certificates: talk
  // TLS and check each host's certificate against it (and its name against the address).
  // Empty: plaintext, for hosts without --tls_cert_file.
  std::string tls_ca_file = {};
  // Longest a host may take over one chunk.
  absl::Duration call_timeout = absl::Minutes(5);
  // Longest a host may take to answer Create()'s first call, and each health check.
  absl::Duration connect_timeout = absl::Seconds(5);
  // How often each host is asked whether it is alive.
  absl::Duration health_interval = absl::Seconds(1);
  // Largest request or reply; match the hosts' --max_message_bytes.
  int max_message_bytes = 64 << 20;
};

}  // namespace mp

namespace mp::remote {

// What a RemotePool knows about one of its hosts.
struct HostStatus {
  std::string address;
  int workers = 0;
  bool alive = false;
  int64_t chunks_done = 0;
  std::string why_dead = {};  // once it is not alive
};

class RemoteCore final : public internal::Engine {
 public:
  // Connects to every host and asks its capacity; an error naming the first host that
  // does not answer within connect_timeout, or refuses the token.
  static absl::StatusOr<std::unique_ptr<RemoteCore>> Start(RemotePoolOptions options);
  ~RemoteCore() override;  // stops as Terminate() does

  // Runs tasks on other machines: takes EncodedTasks.
  bool RunsTasksHere() const override { return false; }
  // (SubmitAndWait: Engine's, which waits while the calls' own threads file the results.)
  absl::Status Submit(const internal::EngineCall& call) override;
  void Close() override;
  absl::Status Join(absl::Duration timeout) override;
  void Terminate() override;

  int workers() const override;  // of the hosts alive
  std::vector<HostStatus> Hosts() const;

 private:
  struct Chunk {
    std::shared_ptr<internal::Job> job = nullptr;
    std::string task_name = {};
    uint64_t first_index = 0;
    uint64_t count = 0;
    std::string args = {};
  };
  struct Host {
    HostStatus status = {};
    int64_t pid = 0;  // the host process's pid, as its first health check said
    std::unique_ptr<WorkerHostService::Stub> stub = nullptr;
    std::set<grpc::ClientContext*> calls = {};  // in flight, to cancel if the host dies
  };
  enum class Phase { kRunning, kClosing, kTerminating };
  using Callbacks = std::vector<std::function<void()>>;

  explicit RemoteCore(RemotePoolOptions options) : options_(std::move(options)) {}

  void Send(size_t host, int lane);  // a sender thread's body; `lane`: its number among the host's
  void WatchHealth();      // the health checker's body
  // Cancels what is in flight, fails what is pending, and joins the threads (Terminate()
  // without its record line; Join() and the destructor end this way too).
  void StopThreads();
  // Outcome of one chunk's call.
  void File(size_t host, Chunk& chunk, const grpc::Status& status, const ChunkReply& reply,
            Callbacks& done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void DeclareDeadLocked(size_t host, const std::string& why, Callbacks& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void FailLocked(Chunk& chunk, const absl::Status& status, Callbacks& done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void AddToken(grpc::ClientContext& context) const;
  bool HostsAliveLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  bool AllWorkDoneLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return pending_.empty() && in_flight_ == 0;
  }

  const RemotePoolOptions options_;
  const std::string record_id_ = internal::NewPoolRecordId();  // in the record (process/life_record.h)
  mutable internal::Mutex mutex_;
  internal::CondVar changed_;  // new chunks, a chunk done, a host dead, a phase
  Phase phase_ ABSL_GUARDED_BY(mutex_) = Phase::kRunning;
  std::vector<Host> hosts_ ABSL_GUARDED_BY(mutex_);
  std::deque<Chunk> pending_ ABSL_GUARDED_BY(mutex_);  // not yet sent
  int in_flight_ ABSL_GUARDED_BY(mutex_) = 0;          // chunks being sent or filed
  std::vector<std::thread> threads_;
};

}  // namespace mp::remote

#endif  // MP_POOL_REMOTE_REMOTE_CORE_H_
