// The server half of a RemotePool: a gRPC service that runs the chunks it is sent in a
// local pool of worker processes (the same engine as mp::Pool).
//
//   auto host = mp::remote::WorkerHost::Create({.workers = 4, .auth_token = "s3cret"});
//   grpc::ServerBuilder builder;
//   builder.RegisterService(host->get());  // ... AddListeningPort, BuildAndStart()
//
// Every call must carry the token (metadata "authorization: Bearer <token>") when one is
// set; otherwise it is refused with UNAUTHENTICATED. Requests are checked before they
// run: the task must be registered in this program, the chunk must hold 1 to
// max_tasks_per_chunk tasks whose arguments decode exactly. A refused request never
// reaches a worker, and the host keeps serving.
//
// //pool/remote:worker_main is a main() around it with flags; link your tasks with it.

#ifndef MP_POOL_REMOTE_WORKER_HOST_H_
#define MP_POOL_REMOTE_WORKER_HOST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "pool/internal/pool_core.h"
#include "process/process.h"
#include "pool/remote/worker_host.grpc.pb.h"

namespace mp::remote {

struct WorkerHostOptions {
  int workers = 0;  // 0: CpuCount()
  StartMethod start_method = StartMethod::kForkServer;
  std::string auth_token = {};  // empty: calls need none (loopback only; see worker_main)
  uint64_t max_tasks_per_chunk = 1'000'000;
};

class WorkerHost final : public WorkerHostService::Service {
 public:
  // Starts the local workers; an error if they cannot start.
  static absl::StatusOr<std::unique_ptr<WorkerHost>> Create(WorkerHostOptions options);

  grpc::Status RunChunk(grpc::ServerContext* context, const ChunkRequest* request,
                        ChunkReply* reply) override;
  grpc::Status Health(grpc::ServerContext* context, const HealthRequest* request,
                      HealthReply* reply) override;

 private:
  WorkerHost(WorkerHostOptions options, std::unique_ptr<internal::PoolCore> core)
      : options_(std::move(options)), core_(std::move(core)) {}

  // UNAUTHENTICATED unless the call carries our token (or none is needed).
  grpc::Status CheckToken(const grpc::ServerContext& context) const;

  const WorkerHostOptions options_;
  std::unique_ptr<internal::PoolCore> core_;
};

// Metadata key of the token, and its value: "Bearer " + token.
inline constexpr char kAuthorizationKey[] = "authorization";
inline std::string AuthorizationValue(const std::string& token) { return "Bearer " + token; }
// What a chunk's bytes mean on this build: the wire's version (bump it when
// pool/internal/wire.h or ipc/codec.h changes how anything is laid out), and the memory
// layout the codec copies as it is (byte order, sizes of the basic types). A RemotePool
// refuses a host whose format differs from its own, rather than misread its bytes.
std::string WireFormat();

// Whether `given` equals `expected`, in a time that depends only on their lengths: a
// comparison that stops at the first differing byte tells a caller, by how long it took,
// how much of its guess was right.
bool TokensMatch(std::string_view given, std::string_view expected);

}  // namespace mp::remote

#endif  // MP_POOL_REMOTE_WORKER_HOST_H_
