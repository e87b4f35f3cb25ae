// Lesson 10: what changes when the workers are on other machines?
//
//   bazel run //concepts/10_going_distributed:demo
//   bazel run //concepts/10_going_distributed:demo -- --hosts=4 --workers=1
//
// Starts worker hosts (this lesson's :host) on loopback, each a program of its own with
// its own pool, and measures what going over the network changes, next to a local Pool:
// the same answer; the cost of a round trip and of bytes on the wire; and partial
// failure, a host killed and a host gone silent in the middle of a map.

#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "base/cli/runfile.h"
#include "concepts/10_going_distributed/ledger.h"
#include "ipc/shared_memory.h"
#include "pool/pool.h"
#include "pool/remote/loopback_host.h"
#include "pool/remote/remote_pool.h"
#include "pool/remote/stock_tasks.h"

ABSL_FLAG(int, hosts, 3, "worker hosts to start on loopback (3 to 8)");
ABSL_FLAG(int, workers, 2, "worker processes per host, and in the local pool (1 to 16)");
ABSL_FLAG(bool, quick, false, "fewer repetitions: a rougher measurement in less time");

namespace {

using ::mp::concepts::Ledger;
using ::mp::concepts::RecordedDouble;
using ::mp::remote::Echo;
using ::mp::remote::LoopbackHost;
using ::mp::remote::Square;

// How often the remote pools check that their hosts answer (the default is 1 s).
constexpr absl::Duration kHealthInterval = absl::Milliseconds(200);

double Millis(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

// Stops the demo with a message: something this demo needs did not work.
[[noreturn]] void Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "demo: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

template <typename T>
T OrFail(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) Fail(what, value.status());
  return *std::move(value);
}

std::vector<std::string> AddressesOf(const std::vector<LoopbackHost>& hosts, size_t first) {
  std::vector<std::string> addresses;
  for (size_t i = first; i < hosts.size(); ++i) addresses.push_back(hosts[i].address);
  return addresses;
}

// The mean time of `calls` round trips of Apply(Square), one at a time.
template <typename PoolType>
absl::Duration RoundTrip(PoolType& pool, int calls) {
  (void)pool.Apply(Square, int64_t{1});  // the first call sets up the connection
  const absl::Time start = absl::Now();
  for (int64_t i = 0; i < calls; ++i) OrFail(pool.Apply(Square, i), "Apply(Square)");
  return (absl::Now() - start) / calls;
}

// Megabytes per second through Map(Echo) over `strings` strings of 1 MiB, there and back.
template <typename PoolType>
double EchoMegabytesPerSecond(PoolType& pool, int strings) {
  const std::vector<std::string> texts(static_cast<size_t>(strings), std::string(1 << 20, 'x'));
  (void)pool.Map(Echo, std::vector<std::string>{"warm up"});
  const absl::Time start = absl::Now();
  OrFail(pool.Map(Echo, texts, {.chunksize = 1}), "Map(Echo)");
  return 2.0 * strings / absl::ToDoubleSeconds(absl::Now() - start);
}

struct FailureRun {
  absl::Duration took;
  bool all_right = true;  // every result arrived once, and was right
  int started_twice = 0;
};

// Maps RecordedDouble over `tasks` tasks of `millis` ms on `pool`, one task per chunk;
// after the first result, calls `disrupt` (which may kill or stop a host).
FailureRun MapThrough(mp::RemotePool& pool, int tasks, int64_t millis,
                      const std::function<void()>& disrupt) {
  Ledger ledger = OrFail(Ledger::Create(tasks, Ledger::Gate::kOpen), "Ledger::Create");
  FailureRun run;
  const absl::Time start = absl::Now();
  auto stream = OrFail(pool.ImapUnordered(RecordedDouble, ledger.Tickets(millis), {.chunksize = 1}),
                       "ImapUnordered");
  std::vector<int> seen(static_cast<size_t>(tasks), 0);
  for (int i = 0; i < tasks; ++i) {
    absl::StatusOr<int64_t> doubled = stream.Next(absl::Seconds(120));
    if (!doubled.ok()) Fail("a task of the map", doubled.status());
    if (i == 0) disrupt();
    const int64_t task = *doubled / 2;
    if (task < 0 || task >= tasks || *doubled % 2 != 0) run.all_right = false;
    else ++seen[static_cast<size_t>(task)];
  }
  run.took = absl::Now() - start;
  for (int count : seen) run.all_right = run.all_right && count == 1;
  for (const Ledger::Run& task : OrFail(ledger.Runs(), "Ledger::Runs")) run.started_twice += task.count > 1;
  return run;
}

void PrintHosts(const mp::RemotePool& pool) {
  for (const mp::remote::HostStatus& host : pool.Hosts()) {
    std::printf("     %s: %s, chunks answered: %lld%s%s\n", host.address.c_str(),
                host.alive ? "alive" : "DEAD", static_cast<long long>(host.chunks_done),
                host.alive ? "" : "; ", host.why_dead.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv,
                      "What changes when a pool's workers are on other hosts: the same map on\n"
                      "worker hosts started on loopback, measured against a local pool.");
  const int host_count = absl::GetFlag(FLAGS_hosts);
  const int workers = absl::GetFlag(FLAGS_workers);
  const bool quick = absl::GetFlag(FLAGS_quick);
  if (host_count < 3 || host_count > 8) mp::cli::ExitBadUsage("--hosts must be 3 to 8");
  if (workers < 1 || workers > 16) mp::cli::ExitBadUsage("--workers must be 1 to 16");

  // Before any pool exists: Fail() exits without the pools' destructors, which would
  // leave their shared memory behind.
  const std::string program =
      OrFail(mp::cli::FindRunfile(argv[0], "concepts/10_going_distributed/host"), "the host program");
  // The local pools first: their workers are forked before gRPC starts threads here.
  mp::Pool local = OrFail(mp::Pool::Create({.workers = workers}), "Pool::Create");
  mp::Pool local_one = OrFail(mp::Pool::Create({.workers = 1}), "Pool::Create");

  std::vector<LoopbackHost> hosts;
  for (int i = 0; i < host_count; ++i) {
    hosts.push_back(OrFail(mp::remote::StartLoopbackHost(program, {absl::StrCat("--workers=", workers)}),
                           "starting a worker host"));
  }
  std::printf("Started %d worker hosts on loopback, %d workers each: each is a program of its own\n"
              "(//concepts/10_going_distributed:host), reached by gRPC as if on another machine.\n",
              host_count, workers);
  mp::RemotePool remote = OrFail(
      mp::RemotePool::Create({.hosts = AddressesOf(hosts, 0), .auth_token = mp::remote::LoopbackToken(),
                              .health_interval = kHealthInterval}),
      "RemotePool::Create");

  std::printf("\n1. The same Map, on other processes\n");
  const int tasks = 60;
  Ledger local_ledger = OrFail(Ledger::Create(tasks, Ledger::Gate::kOpen), "Ledger::Create");
  Ledger remote_ledger = OrFail(Ledger::Create(tasks, Ledger::Gate::kOpen), "Ledger::Create");
  const auto here = OrFail(local.Map(RecordedDouble, local_ledger.Tickets(0), {.chunksize = 2}), "Map");
  const auto there = OrFail(remote.Map(RecordedDouble, remote_ledger.Tickets(0), {.chunksize = 2}), "Map");
  std::printf("   Map(RecordedDouble) over %d tasks in chunks of 2: the local pool and the hosts give\n"
              "   the same results: %s. Calls to each host, one per chunk:\n",
              tasks, here == there ? "yes" : "NO");
  PrintHosts(remote);

  const int calls = quick ? 100 : 1000;
  std::printf("\n2. Latency: one task there and back (Apply, one at a time, %d times)\n", calls);
  mp::RemotePool remote_one = OrFail(mp::RemotePool::Create({.hosts = {hosts[0].address}, .auth_token = mp::remote::LoopbackToken()}), "RemotePool::Create");
  const absl::Duration local_trip = RoundTrip(local_one, calls);
  const absl::Duration remote_trip = RoundTrip(remote_one, calls);
  std::printf("   local pool, 1 worker:  %8.1f us\n", absl::ToDoubleMicroseconds(local_trip));
  std::printf("   one host, on loopback: %8.1f us  (%.0fx; a real network adds its own latency)\n",
              absl::ToDoubleMicroseconds(remote_trip), absl::FDivDuration(remote_trip, local_trip));

  const int megabytes = quick ? 8 : 32;
  std::printf("\n3. Serialization: %d MiB there and back (Map(Echo) over %d strings of 1 MiB)\n",
              megabytes, megabytes);
  const double local_rate = EchoMegabytesPerSecond(local, megabytes);
  const double remote_rate = EchoMegabytesPerSecond(remote, megabytes);
  std::printf("   local pool:  %7.0f MiB/s\n", local_rate);
  std::printf("   the hosts:   %7.0f MiB/s  (%.1fx slower: encoded, framed, sent through TCP, decoded)\n",
              remote_rate, local_rate / remote_rate);

  const int failure_tasks = 60;
  const int64_t millis = 20;
  std::printf("\n4. Partial failure: a host is killed (SIGKILL) in the middle of a map\n"
              "   of %d tasks of %lld ms each, one task per chunk\n",
              failure_tasks, static_cast<long long>(millis));
  const FailureRun calm = MapThrough(remote, failure_tasks, millis, [] {});
  const FailureRun killed = MapThrough(remote, failure_tasks, millis, [&] { kill(hosts[0].program->pid(), SIGKILL); });
  std::printf("   no failure:           %4.0f ms, results right: %s\n", Millis(calm.took),
              calm.all_right ? "yes" : "NO");
  std::printf("   a host killed:        %4.0f ms, results right: %s; tasks started twice: %d\n",
              Millis(killed.took), killed.all_right ? "yes" : "NO", killed.started_twice);
  PrintHosts(remote);
  (void)hosts[0].program->Wait();

  std::printf("\n5. Silence: a host stops answering (SIGSTOP) in the middle of the same map:\n"
              "   alive and connected, but silent, as a host behind a broken link looks\n");
  mp::RemotePool survivors = OrFail(
      mp::RemotePool::Create({.hosts = AddressesOf(hosts, 1), .auth_token = mp::remote::LoopbackToken(),
                              .health_interval = kHealthInterval}),
      "RemotePool::Create");
  const FailureRun stopped = MapThrough(survivors, failure_tasks, millis, [&] {
    if (absl::Status stopped = mp::remote::StopHost(hosts[1]); !stopped.ok()) Fail("StopHost", stopped);
    std::printf("   host %d is stopped\n", static_cast<int>(hosts[1].program->pid()));
    std::fflush(stdout);
  });
  std::printf("   a host silent:        %4.0f ms, results right: %s; tasks started twice: %d\n",
              Millis(stopped.took), stopped.all_right ? "yes" : "NO", stopped.started_twice);
  PrintHosts(survivors);
  kill(hosts[1].program->pid(), SIGCONT);

  std::printf("\nA killed host's connection breaks at once; a silent one is given up only after it\n"
              "misses a health check (every %.0f ms here). Either way, the tasks it had are run again\n"
              "elsewhere, so a task may run twice: at-least-once. Read concepts/10_going_distributed/README.md.\n",
              Millis(kHealthInterval));
  for (size_t i = 1; i < hosts.size(); ++i) {
    hosts[i].program->CloseStdin();
    (void)hosts[i].program->Wait(absl::Seconds(60));
  }
  return calm.all_right && killed.all_right && stopped.all_right && here == there ? 0 : 1;
}
