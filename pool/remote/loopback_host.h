// A worker host (//pool/remote:worker, or your own host binary) in a process of our own,
// listening on loopback at a port the kernel picks: for tests, benchmarks and the
// lesson's demo. It ends when we close its stdin (program->CloseStdin()), or when we
// exit, whichever comes first.
//
// Every user of the machine can reach loopback TCP, so the host needs a token: each host
// this process starts gets LoopbackToken() in its environment (never on its command line,
// where `ps` shows it to everyone); give the same to the pool:
//
//   RemotePool::Create({.hosts = {host->address}, .auth_token = LoopbackToken()});

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

// A random token made once per process: what the hosts StartLoopbackHost() starts require.
const std::string& LoopbackToken();

// Starts the host program at `path` with `flags` (e.g. "--workers=2") added to the
// loopback address and --exit_on_stdin_eof; returns once it serves (within a minute).
// Unless `flags` give a token of their own (--auth_token...), the host takes
// LoopbackToken() from MP_WORKER_AUTH_TOKEN.
absl::StatusOr<LoopbackHost> StartLoopbackHost(const std::string& path,
                                               const std::vector<std::string>& flags);

// Freezes the host (SIGSTOP) and returns once all its threads have stopped: it is then
// alive and connected, but silent, as a host behind a broken link looks. Its workers,
// processes of their own, go on. Resume it with kill(pid, SIGCONT).
absl::Status StopHost(const LoopbackHost& host);

}  // namespace mp::remote

#endif  // MP_POOL_REMOTE_LOOPBACK_HOST_H_
