// The client half of remote_pool_netns_test.sh: runs one scenario against worker hosts
// that the script started in network namespaces, and exits 0 if it went as expected.
//
//   netns_client --hosts=10.213.1.2:7070,... --auth_token=T --expect=map_survives_a_kill
//       --kill_pid=PID      (SIGKILLs that host once the map is under way)
//   netns_client --hosts=... --auth_token=wrong --expect=unauthenticated
//   netns_client --hosts=... --expect=unavailable --connect_timeout_ms=2000

#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "ipc/shared_memory.h"
#include "pool/remote/remote_pool.h"
#include "pool/remote/stock_tasks.h"

ABSL_FLAG(std::string, hosts, "", "comma-separated host:port list");
ABSL_FLAG(std::string, auth_token, "", "token to send");
ABSL_FLAG(std::string, expect, "", "map_survives_a_kill, unauthenticated or unavailable");
ABSL_FLAG(int, kill_pid, 0, "a host's pid to SIGKILL once the map is under way");
ABSL_FLAG(int, connect_timeout_ms, 5000, "RemotePoolOptions::connect_timeout");

namespace {

int Fail(const std::string& why) {
  std::fprintf(stderr, "netns_client: %s\n", why.c_str());
  return 1;
}

int MapSurvivesAKill(mp::RemotePool& pool) {
  const std::vector<int64_t> millis(150, 20);
  absl::StatusOr<mp::ResultStream<int64_t>> stream =
      pool.ImapUnordered(mp::remote::SleepMillis, millis, {.chunksize = 1});
  if (!stream.ok()) return Fail(stream.status().ToString());
  int results = 0;
  while (true) {
    absl::StatusOr<int64_t> next = stream->Next(absl::Seconds(60));
    if (absl::IsOutOfRange(next.status())) break;
    if (!next.ok() || *next != 20) return Fail("a wrong result: " + next.status().ToString());
    if (++results == 1 && absl::GetFlag(FLAGS_kill_pid) > 0) {
      kill(absl::GetFlag(FLAGS_kill_pid), SIGKILL);
    }
  }
  if (results != 150) return Fail("missing results");
  int alive = 0;
  for (const mp::remote::HostStatus& host : pool.Hosts()) {
    std::printf("%s: %s, %lld chunks%s%s\n", host.address.c_str(), host.alive ? "alive" : "dead",
                static_cast<long long>(host.chunks_done), host.alive ? "" : ": ",
                host.why_dead.c_str());
    alive += host.alive ? 1 : 0;
  }
  if (alive != static_cast<int>(pool.Hosts().size()) - 1) return Fail("expected one host dead");
  std::printf("map of 150 tasks completed with one host killed mid-map\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "One RemotePool scenario against hosts in namespaces.");
  const std::string expect = absl::GetFlag(FLAGS_expect);
  if (absl::GetFlag(FLAGS_hosts).empty()) mp::cli::ExitBadUsage("--hosts is required");
  if (absl::GetFlag(FLAGS_kill_pid) < 0) mp::cli::ExitBadUsage("--kill_pid must be >= 0 (0: none)");
  if (const int ms = absl::GetFlag(FLAGS_connect_timeout_ms); ms < 1 || ms > 600'000) {
    mp::cli::ExitBadUsage("--connect_timeout_ms must be 1 to 600000");
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<mp::RemotePool> pool = mp::RemotePool::Create(
      {.hosts = absl::StrSplit(absl::GetFlag(FLAGS_hosts), ',', absl::SkipEmpty()),
       .auth_token = absl::GetFlag(FLAGS_auth_token),
       .connect_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_connect_timeout_ms)),
       .health_interval = absl::Milliseconds(200)});
  if (expect == "map_survives_a_kill") {
    if (!pool.ok()) return Fail(pool.status().ToString());
    return MapSurvivesAKill(*pool);
  }
  const absl::StatusCode wanted = expect == "unauthenticated" ? absl::StatusCode::kUnauthenticated
                                                              : absl::StatusCode::kUnavailable;
  if (pool.status().code() != wanted) return Fail("got " + pool.status().ToString());
  std::printf("refused as expected after %s: %s\n", absl::FormatDuration(absl::Now() - start).c_str(),
              pool.status().ToString().c_str());
  return 0;
}
