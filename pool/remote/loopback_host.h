// A worker host (//pool/remote:worker, or your own host binary) in a process of our own,
// listening on loopback at a port the kernel picks: for tests, benchmarks and the
// lesson's demo. It ends when we close its stdin (program->CloseStdin()), or when we
// exit, whichever comes first.

#ifndef MP_POOL_REMOTE_LOOPBACK_HOST_H_
#define MP_POOL_REMOTE_LOOPBACK_HOST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "process/subprocess.h"

namespace mp::remote {

struct LoopbackHost {
  std::unique_ptr<Subprocess> program;
  std::string address;  // "127.0.0.1:PORT"
};

// Starts the host program at `path` with `flags` (e.g. "--workers=2") added to the
// loopback address and --exit_on_stdin_eof; returns once it serves (within a minute).
absl::StatusOr<LoopbackHost> StartLoopbackHost(const std::string& path,
                                               const std::vector<std::string>& flags);

// Freezes the host (SIGSTOP) and returns once all its threads have stopped: it is then
// alive and connected, but silent, as a host behind a broken link looks. Its workers,
// processes of their own, go on. Resume it with kill(pid, SIGCONT).
absl::Status StopHost(const LoopbackHost& host);

}  // namespace mp::remote

#endif  // MP_POOL_REMOTE_LOOPBACK_HOST_H_
