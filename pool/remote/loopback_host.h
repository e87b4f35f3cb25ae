// For tests and benchmarks: a worker host (//pool/remote:worker) in a process of our
// own, listening on loopback at a port the kernel picks. It ends when we close its stdin
// (Stop()) or when we exit, whichever comes first.

#ifndef MP_POOL_REMOTE_LOOPBACK_HOST_H_
#define MP_POOL_REMOTE_LOOPBACK_HOST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "process/testing/spawned_program.h"

namespace mp::remote {

struct LoopbackHost {
  std::unique_ptr<test::SpawnedProgram> program;
  std::string address;  // "127.0.0.1:PORT"
};

// Starts `worker` with `flags` (e.g. "--workers=2") added to the loopback address and
// --exit_on_stdin_eof; returns once it serves.
absl::StatusOr<LoopbackHost> StartLoopbackHost(const std::string& worker,
                                               const std::vector<std::string>& flags);

}  // namespace mp::remote

#endif  // MP_POOL_REMOTE_LOOPBACK_HOST_H_
