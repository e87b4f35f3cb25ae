// Converting a status between Abseil (our library boundaries) and gRPC (the wire). Both
// number the canonical codes the same way, so only the type changes.

#ifndef MP_IPC_GRPC_STATUS_H_
#define MP_IPC_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"

namespace mp {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace mp

#endif  // MP_IPC_GRPC_STATUS_H_
