// What does it cost to move a message to another process, and back?
//
//   bazel run -c opt //benchmarks:ipc_benchmark -- --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//   (one command line)
//
// For 64 B, 4 KiB and 1 MiB messages, over four transports:
//   pipe        two pipe(2)s, raw read/write: the kernel copies in, then out
//   socketpair  a Unix stream socket pair, raw read/write
//   shm_queue   two mp::ByteQueues (ipc/byte_queue.h): shared memory, two memcpy()s
//   boost_mq    two Boost.Interprocess message_queues: the peer a C++ user would pick
//               instead of shm_queue (shared memory, a copy in and a copy out, each under
//               its lock)
//   grpc        mp::TaskService (ipc/task_service.h) over a Unix socket: unary calls
// and memcpy() of the same size, the ceiling for anything that copies.
// BM_SpinPingPong: the floor for a round trip between two cores: two processes, each
// pinned to its CPU, spinning on one shared word and answering each other's writes. No
// system call, no sleep: what no queue that may sleep can beat.
//
// BM_RoundTrip: one message to a child that sends it straight back; time per round trip.
// BM_OneWay: a stream of messages the child only reads; time per message (and bytes/s).
// The last few messages are still in flight when the clock stops (at most a pipe or
// ring buffer's worth, against thousands measured). For gRPC every message is a call
// whose reply is empty, so "one way" still waits for the reply.
//
// other_core:0 pins both processes to the same CPU; other_core:1 to two different CPUs.
// They measure different things: on one CPU every message costs a context switch; on two,
// a wake-up of the other CPU, which on a VM alone takes tens of microseconds, unless the
// receiver is awake already (the shm queue spins briefly before it sleeps; pipes do not).
// gRPC's own background threads are not pinned. gRPC's socket is an abstract Unix socket.
//
// Also the uncontended cost of a Lock, a SharedValue update and a Semaphore, against a
// std::mutex, and of creating shared memory, against creating a pipe.
//
// Clock: wall time (UseRealTime) for the exchanges, since the work is shared with another
// process; the default CPU time for the single-process ones.
// After the table, each transport's time relative to the pipe's for the same size and
// placement (how many times faster than a pipe), and one-way throughput as a fraction
// of memcpy's.

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "base/cpu_relax.h"
#include "base/unique_fd.h"
#include "benchmark/benchmark.h"
#include "benchmarks/summary_reporter.h"
#include "boost/interprocess/exceptions.hpp"
#include "boost/interprocess/ipc/message_queue.hpp"
#include "grpcpp/grpcpp.h"
#include "ipc/byte_queue.h"
#include "ipc/lock.h"
#include "ipc/pipe.h"
#include "ipc/semaphore.h"
#include "ipc/shared_memory.h"
#include "ipc/shared_value.h"
#include "ipc/task_service.h"
#include "process/hand_off.h"
#include "process/process.h"
#include "process/task_registry.h"

namespace {

using mp::internal::UniqueFd;

enum class Transport { kPipe, kSocketPair, kShmQueue, kBoostQueue, kGrpc };

// The first byte of every message says whether more will follow.
constexpr char kData = 0;
constexpr char kStop = 1;

// --- Placement -------------------------------------------------------------------------

// The CPUs this process may use, in order.
std::vector<int> AllowedCpus() {
  cpu_set_t set;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

bool PinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0;
}

// Pins this thread for the lifetime of the object, then restores its affinity.
class Pinned {
 public:
  explicit Pinned(int cpu) { ok_ = sched_getaffinity(0, sizeof(saved_), &saved_) == 0 && PinTo(cpu); }
  ~Pinned() { sched_setaffinity(0, sizeof(saved_), &saved_); }
  bool ok() const { return ok_; }

 private:
  cpu_set_t saved_;
  bool ok_ = false;
};

struct Placement {
  int parent_cpu = 0;
  int child_cpu = 0;
};

std::optional<Placement> PlacementFor(bool other_core) {
  std::vector<int> cpus = AllowedCpus();
  if (cpus.empty() || (other_core && cpus.size() < 2)) return std::nullopt;
  return Placement{.parent_cpu = cpus[0], .child_cpu = other_core ? cpus[1] : cpus[0]};
}

// --- Channels: how the pipe, socketpair and shm_queue transports carry a message -------

class Channel {
 public:
  virtual ~Channel() = default;
  virtual bool Send(std::string_view message) = 0;
  // Receives one message of exactly `size` bytes into `message`.
  virtual bool Receive(std::string& message, size_t size) = 0;
};

class FdChannel : public Channel {
 public:
  FdChannel(int read_fd, int write_fd) : read_fd_(read_fd), write_fd_(write_fd) {}
  bool Send(std::string_view message) override {
    return mp::internal::WriteAll(write_fd_, message).ok();
  }
  bool Receive(std::string& message, size_t size) override {
    message.resize(size);
    for (size_t done = 0; done < size;) {
      ssize_t got = read(read_fd_, message.data() + done, size - done);
      if (got <= 0) return false;
      done += static_cast<size_t>(got);
    }
    return true;
  }

 private:
  int read_fd_;
  int write_fd_;
};

class QueueChannel : public Channel {
 public:
  QueueChannel(mp::ByteQueue& inbox, mp::ByteQueue& outbox) : inbox_(inbox), outbox_(outbox) {}
  bool Send(std::string_view message) override { return outbox_.Put(message).ok(); }
  bool Receive(std::string& message, size_t size) override {
    return inbox_.GetInto(message).ok() && message.size() == size;
  }

 private:
  mp::ByteQueue& inbox_;
  mp::ByteQueue& outbox_;
};

// A named Boost.Interprocess message_queue with room for four messages of `size` bytes,
// removed with this object (the name is the only way to it; a forked child inherits the
// mapping).
class BoostQueue {
 public:
  explicit BoostQueue(size_t size)
      : name_(absl::StrCat("mp-ipc-benchmark-", getpid(), "-", ++created_)),
        queue_(boost::interprocess::create_only, name_.c_str(), 4, size) {}
  ~BoostQueue() { boost::interprocess::message_queue::remove(name_.c_str()); }
  boost::interprocess::message_queue& queue() { return queue_; }

 private:
  static inline int created_ = 0;
  std::string name_;
  boost::interprocess::message_queue queue_;
};

class BoostQueueChannel : public Channel {
 public:
  BoostQueueChannel(BoostQueue& inbox, BoostQueue& outbox) : inbox_(inbox), outbox_(outbox) {}
  bool Send(std::string_view message) override {
    try {
      outbox_.queue().send(message.data(), message.size(), /*priority=*/0);
      return true;
    } catch (const boost::interprocess::interprocess_exception&) {
      return false;
    }
  }
  bool Receive(std::string& message, size_t size) override {
    message.resize(size);
    boost::interprocess::message_queue::size_type received = 0;
    unsigned int priority = 0;
    try {
      inbox_.queue().receive(message.data(), size, received, priority);
    } catch (const boost::interprocess::interprocess_exception&) {
      return false;
    }
    return received == size;
  }

 private:
  BoostQueue& inbox_;
  BoostQueue& outbox_;
};

// Both ends of a two-way connection, and what they use.
struct Connection {
  std::vector<UniqueFd> fds;
  std::optional<mp::ByteQueue> to_child, to_parent;
  std::unique_ptr<BoostQueue> boost_to_child, boost_to_parent;
  std::unique_ptr<Channel> parent_end, child_end;
};

absl::StatusOr<std::unique_ptr<Connection>> Connect(Transport transport, size_t message_size) {
  auto connection = std::make_unique<Connection>();
  if (transport == Transport::kShmQueue) {
    // Room for a few messages, as a pipe has room for 64 KiB.
    mp::QueueOptions options{.capacity_bytes = std::max<size_t>(4 * (message_size + 8), 64 << 10)};
    absl::StatusOr<mp::ByteQueue> to_child = mp::ByteQueue::Create(options);
    absl::StatusOr<mp::ByteQueue> to_parent = mp::ByteQueue::Create(options);
    if (!to_child.ok()) return to_child.status();
    if (!to_parent.ok()) return to_parent.status();
    connection->to_child.emplace(*std::move(to_child));
    connection->to_parent.emplace(*std::move(to_parent));
    connection->parent_end = std::make_unique<QueueChannel>(*connection->to_parent, *connection->to_child);
    connection->child_end = std::make_unique<QueueChannel>(*connection->to_child, *connection->to_parent);
    return connection;
  }
  if (transport == Transport::kBoostQueue) {
    try {
      connection->boost_to_child = std::make_unique<BoostQueue>(message_size);
      connection->boost_to_parent = std::make_unique<BoostQueue>(message_size);
    } catch (const boost::interprocess::interprocess_exception& error) {
      return absl::InternalError(absl::StrCat("boost message_queue: ", error.what()));
    }
    connection->parent_end = std::make_unique<BoostQueueChannel>(*connection->boost_to_parent,
                                                                 *connection->boost_to_child);
    connection->child_end = std::make_unique<BoostQueueChannel>(*connection->boost_to_child,
                                                                *connection->boost_to_parent);
    return connection;
  }
  int parent_read, parent_write, child_read, child_write;
  if (transport == Transport::kPipe) {
    int to_child[2], to_parent[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
    connection->fds.emplace_back(to_child[0]);
    connection->fds.emplace_back(to_child[1]);
    if (pipe2(to_parent, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
    connection->fds.emplace_back(to_parent[0]);
    connection->fds.emplace_back(to_parent[1]);
    parent_read = to_parent[0], parent_write = to_child[1];
    child_read = to_child[0], child_write = to_parent[1];
  } else {  // one socket per end, each carrying both directions
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      return absl::ErrnoToStatus(errno, "socketpair");
    }
    connection->fds.emplace_back(pair[0]);
    connection->fds.emplace_back(pair[1]);
    parent_read = parent_write = pair[0];
    child_read = child_write = pair[1];
  }
  connection->parent_end = std::make_unique<FdChannel>(parent_read, parent_write);
  connection->child_end = std::make_unique<FdChannel>(child_read, child_write);
  return connection;
}

// The child's side: echoes (or only reads) messages until the stop message, which it
// acknowledges, so the parent knows everything before it was consumed.
int ServeChannel(Channel& channel, size_t size, int cpu, bool echo) {
  if (!PinTo(cpu)) return 1;
  std::string message;
  while (channel.Receive(message, size)) {
    if (message[0] == kStop) return channel.Send(message) ? 0 : 2;
    if (echo && !channel.Send(message)) return 3;
  }
  return 4;
}

// --- gRPC ------------------------------------------------------------------------------

// Runs in a spawned child (gRPC does not survive fork): serves "echo" and "sink" on
// `address` until killed.
int ServeGrpc(std::string address, int cpu) {
  if (!PinTo(cpu)) return 1;
  mp::TaskRegistry registry;
  (void)registry.Register("echo", [](absl::string_view in) -> absl::StatusOr<std::string> {
    return std::string(in);
  });
  (void)registry.Register("sink", [](absl::string_view) -> absl::StatusOr<std::string> {
    return std::string();
  });
  mp::TaskServiceImpl service(&registry);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(64 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return 2;
  server->Wait();
  return 0;
}
MP_REGISTER_TASK(ServeGrpc);

// --- The benchmarks --------------------------------------------------------------------

// The parent's view of a child to exchange messages with, on any transport.
class Peer {
 public:
  virtual ~Peer() = default;
  virtual bool RoundTrip(const std::string& message, std::string& reply) = 0;
  virtual bool SendOneWay(const std::string& message) = 0;
  // Returns once the child has consumed everything sent, and ends it.
  virtual bool Finish() = 0;
};

class ChannelPeer : public Peer {
 public:
  static absl::StatusOr<std::unique_ptr<Peer>> Start(Transport transport, size_t size, int cpu,
                                                     bool echo) {
    absl::StatusOr<std::unique_ptr<Connection>> connection = Connect(transport, size);
    if (!connection.ok()) return connection.status();
    auto peer = std::unique_ptr<ChannelPeer>(new ChannelPeer(*std::move(connection), size));
    Channel* child_end = peer->connection_->child_end.get();
    peer->child_.emplace([=] { return ServeChannel(*child_end, size, cpu, echo); });
    if (absl::Status started = peer->child_->Start(); !started.ok()) return started;
    return std::unique_ptr<Peer>(std::move(peer));
  }

  bool RoundTrip(const std::string& message, std::string& reply) override {
    return channel().Send(message) && channel().Receive(reply, size_);
  }
  bool SendOneWay(const std::string& message) override { return channel().Send(message); }
  bool Finish() override {
    std::string stop(size_, kStop), ack;
    bool acknowledged = channel().Send(stop) && channel().Receive(ack, size_);
    return child_->Join(absl::Seconds(60)).ok() && acknowledged && child_->exit_code() == 0;
  }

 private:
  ChannelPeer(std::unique_ptr<Connection> connection, size_t size)
      : connection_(std::move(connection)), size_(size) {}
  Channel& channel() { return *connection_->parent_end; }

  std::unique_ptr<Connection> connection_;
  size_t size_;
  std::optional<mp::Process> child_;
};

class GrpcPeer : public Peer {
 public:
  static absl::StatusOr<std::unique_ptr<Peer>> Start(int cpu) {
    // An abstract Unix socket: a name with no file behind it, so nothing to clean up and
    // no limit of 107 characters on a directory path.
    static int servers_started = 0;
    const std::string address =
        absl::StrCat("unix-abstract:mp-ipc-benchmark-", getpid(), "-", ++servers_started);
    auto peer = std::unique_ptr<GrpcPeer>(new GrpcPeer());
    peer->server_.emplace(mp::ProcessOptions{.start_method = mp::StartMethod::kSpawn}, ServeGrpc,
                          address, cpu);
    if (absl::Status started = peer->server_->Start(); !started.ok()) return started;
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(64 << 20);
    // Retry soon while the child is still starting, not after gRPC's default 1 s back-off.
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
    arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
      return absl::UnavailableError("the gRPC child did not start serving");
    }
    peer->stub_ = mp::ipc::TaskService::NewStub(channel);
    return std::unique_ptr<Peer>(std::move(peer));
  }
  ~GrpcPeer() override {
    if (server_) {
      (void)server_->Kill();
      (void)server_->Join();
    }
  }

  bool RoundTrip(const std::string& message, std::string& reply) override {
    absl::StatusOr<mp::TaskResult> result = mp::RunRemoteTask(*stub_, "echo", message, kCallTimeout);
    if (!result.ok()) return false;
    reply = std::move(result->result);
    return true;
  }
  bool SendOneWay(const std::string& message) override {
    return mp::RunRemoteTask(*stub_, "sink", message, kCallTimeout).ok();
  }
  bool Finish() override { return true; }  // every call has been answered already

 private:
  static constexpr absl::Duration kCallTimeout = absl::Seconds(30);
  GrpcPeer() = default;

  std::optional<mp::Process> server_;
  std::unique_ptr<mp::ipc::TaskService::Stub> stub_;
};

// Sets up a pinned peer for `state`'s arguments (bytes, other_core), or reports why not.
absl::StatusOr<std::unique_ptr<Peer>> StartPeer(Transport transport, benchmark::State& state,
                                                bool echo, const Placement& placement) {
  const size_t size = static_cast<size_t>(state.range(0));
  if (transport == Transport::kGrpc) return GrpcPeer::Start(placement.child_cpu);
  return ChannelPeer::Start(transport, size, placement.child_cpu, echo);
}

void RunExchange(benchmark::State& state, Transport transport, bool round_trip) {
  const size_t size = static_cast<size_t>(state.range(0));
  std::optional<Placement> placement = PlacementFor(state.range(1) != 0);
  if (!placement) return state.SkipWithError("this machine lets us use only one CPU");
  Pinned pinned(placement->parent_cpu);
  if (!pinned.ok()) return state.SkipWithError("cannot pin to a CPU");
  absl::StatusOr<std::unique_ptr<Peer>> peer = StartPeer(transport, state, round_trip, *placement);
  if (!peer.ok()) return state.SkipWithError(peer.status().ToString().c_str());

  const std::string message(size, kData);
  std::string reply;
  bool ok = true;
  for (auto _ : state) {
    ok = round_trip ? (*peer)->RoundTrip(message, reply) : (*peer)->SendOneWay(message);
    if (!ok) break;
  }
  if (!(*peer)->Finish() || !ok || (round_trip && reply != message)) {
    return state.SkipWithError("a message was lost or damaged");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

void BM_RoundTrip(benchmark::State& state, Transport transport) {
  RunExchange(state, transport, /*round_trip=*/true);
}
void BM_OneWay(benchmark::State& state, Transport transport) {
  RunExchange(state, transport, /*round_trip=*/false);
}

// The ceiling: copying the message once, within one process.
void BM_Memcpy(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  // Source and destination in one buffer, 2 KiB apart modulo 4 KiB. Two separate
  // allocations would sit about 4 KiB + 16 bytes apart, and a copy between addresses that
  // close modulo 4 KiB runs several times slower ("4K aliasing"): not a ceiling.
  std::vector<char> buffer(2 * size + 4096, 'x');
  const char* from = buffer.data();
  char* to = buffer.data() + size + 2048;
  for (auto _ : state) {
    std::memcpy(to, from, size);
    benchmark::DoNotOptimize(to);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

// The parent writes an odd number to a shared word, the child (on another CPU) answers with
// the next even one; a round trip is one write seen each way. Each side yields its CPU now
// and then, so the two make progress even where the kernel moves them onto one CPU.
void BM_SpinPingPong(benchmark::State& state) {
  std::optional<Placement> placement = PlacementFor(/*other_core=*/true);
  if (!placement) return state.SkipWithError("this machine lets us use only one CPU");
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return state.SkipWithError("mmap failed");
  auto* word = new (page) std::atomic<uint64_t>(0);
  constexpr uint64_t kStop = ~uint64_t{0};
  const auto wait_until = [word](auto done) {
    for (int round = 1; !done(word->load(std::memory_order_acquire)); ++round) {
      mp::CpuRelax();
      if (round % 4096 == 0) sched_yield();
    }
  };
  const pid_t child = fork();
  if (child == 0) {
    PinTo(placement->child_cpu);
    while (true) {
      uint64_t seen = 0;
      wait_until([&seen](uint64_t value) { seen = value; return value % 2 == 1; });
      if (seen == kStop) _exit(0);
      word->store(seen + 1, std::memory_order_release);
    }
  }
  Pinned pinned(placement->parent_cpu);
  uint64_t next = 1;
  for (auto _ : state) {
    word->store(next, std::memory_order_release);
    wait_until([next](uint64_t value) { return value == next + 1; });
    next += 2;
  }
  word->store(kStop, std::memory_order_release);
  int status = 0;
  const bool clean = child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
                     WEXITSTATUS(status) == 0;
  munmap(page, 4096);
  if (!clean) state.SkipWithError("the ping-pong child did not exit cleanly");
}
BENCHMARK(BM_SpinPingPong)->UseRealTime();

// --- What the other mechanisms cost, uncontended, in one process -----------------------

// The baseline for the locks: a std::mutex, private to this process.
void BM_StdMutexLockUnlock(benchmark::State& state) {
  std::mutex mutex;
  for (auto _ : state) {
    mutex.lock();
    mutex.unlock();
  }
}

void BM_LockAcquireRelease(benchmark::State& state) {
  absl::StatusOr<mp::Lock> lock = mp::Lock::Create();
  if (!lock.ok()) return state.SkipWithError(lock.status().ToString().c_str());
  for (auto _ : state) {
    absl::StatusOr<mp::LockGuard> held = lock->Acquire();
    benchmark::DoNotOptimize(held);
  }
}

void BM_SharedValueUpdate(benchmark::State& state) {
  absl::StatusOr<mp::SharedValue<int64_t>> value = mp::SharedValue<int64_t>::Create(0);
  if (!value.ok()) return state.SkipWithError(value.status().ToString().c_str());
  for (auto _ : state) {
    if (!value->Update([](int64_t& n) { ++n; }).ok()) return state.SkipWithError("Update failed");
  }
}

void BM_SemaphoreReleaseAcquire(benchmark::State& state) {
  absl::StatusOr<mp::Semaphore> semaphore = mp::Semaphore::Create(0);
  if (!semaphore.ok()) return state.SkipWithError(semaphore.status().ToString().c_str());
  for (auto _ : state) {
    if (!semaphore->Release().ok() || !semaphore->Acquire().ok()) {
      return state.SkipWithError("the semaphore failed");
    }
  }
}

// Setting up: a new segment (memfd_create, ftruncate, fallocate, mmap), then munmap and close.
void BM_SharedMemoryCreateDestroy(benchmark::State& state) {
  for (auto _ : state) {
    absl::StatusOr<mp::SharedMemory> memory = mp::SharedMemory::Create(4096);
    if (!memory.ok()) return state.SkipWithError(memory.status().ToString().c_str());
  }
}

// The same for a pipe: pipe2() and two close()s.
void BM_PipeCreateDestroy(benchmark::State& state) {
  for (auto _ : state) {
    absl::StatusOr<mp::PipeEnds> pipe = mp::Pipe(/*duplex=*/false);
    if (!pipe.ok()) return state.SkipWithError(pipe.status().ToString().c_str());
  }
}

BENCHMARK(BM_StdMutexLockUnlock);
BENCHMARK(BM_LockAcquireRelease);
BENCHMARK(BM_SharedValueUpdate);
BENCHMARK(BM_SemaphoreReleaseAcquire);
BENCHMARK(BM_SharedMemoryCreateDestroy);
BENCHMARK(BM_PipeCreateDestroy);

void MessageSizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgsProduct({{64, 4 << 10, 1 << 20}, {0, 1}})
      ->ArgNames({"bytes", "other_core"})
      ->UseRealTime();
}

BENCHMARK_CAPTURE(BM_RoundTrip, pipe, Transport::kPipe)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_RoundTrip, socketpair, Transport::kSocketPair)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_RoundTrip, shm_queue, Transport::kShmQueue)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_RoundTrip, boost_mq, Transport::kBoostQueue)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_RoundTrip, grpc, Transport::kGrpc)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_OneWay, pipe, Transport::kPipe)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_OneWay, socketpair, Transport::kSocketPair)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_OneWay, shm_queue, Transport::kShmQueue)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_OneWay, boost_mq, Transport::kBoostQueue)->Apply(MessageSizes);
BENCHMARK_CAPTURE(BM_OneWay, grpc, Transport::kGrpc)->Apply(MessageSizes);
BENCHMARK(BM_Memcpy)->Arg(64)->Arg(4 << 10)->Arg(1 << 20)->ArgName("bytes")->UseRealTime();

// After the table: each transport against the pipe, and one-way against memcpy.
class IpcReporter : public mp::bench::SummaryReporter {
  void PrintSummary(const mp::bench::WallTimes& wall_time, bool medians) override {
    std::printf("\nSpeed relative to a pipe, same size and placement (%s; >1 is faster):\n",
                medians ? "medians" : "one run each");
    for (const auto& [name, time] : wall_time) {
      if (name.find("/pipe/") != std::string::npos || name.rfind("BM_Memcpy", 0) == 0) continue;
      for (const char* transport : {"/socketpair/", "/shm_queue/", "/boost_mq/", "/grpc/"}) {
        if (name.find(transport) == std::string::npos) continue;
        auto pipe = wall_time.find(absl::StrReplaceAll(name, {{transport, "/pipe/"}}));
        if (pipe == wall_time.end() || time <= 0) continue;
        std::printf("  %-58s %7.2fx", name.c_str(), pipe->second / time);
        // One way: the share of memcpy's throughput, for the same size.
        size_t bytes_at = name.find("bytes:");
        if (name.rfind("BM_OneWay", 0) == 0 && bytes_at != std::string::npos) {
          std::string bytes = name.substr(bytes_at, name.find('/', bytes_at) - bytes_at);
          auto copy = wall_time.find("BM_Memcpy/" + bytes + "/real_time");
          if (copy != wall_time.end()) std::printf("   %5.1f%% of memcpy", 100 * copy->second / time);
        }
        std::printf("\n");
      }
    }
    const auto floor = wall_time.find("BM_SpinPingPong/real_time");
    const auto queue = wall_time.find("BM_RoundTrip/shm_queue/bytes:64/other_core:1/real_time");
    if (floor != wall_time.end() && queue != wall_time.end() && floor->second > 0) {
      std::printf("\nshm_queue 64 B round trip across two cores against a spin ping-pong (the "
                  "floor): %.1fx its time\n", queue->second / floor->second);
    }
    std::printf("\nshm_queue (ByteQueue) against Boost.Interprocess message_queue, same size and "
                "placement (>1 is faster):\n");
    for (const auto& [name, time] : wall_time) {
      if (name.find("/shm_queue/") == std::string::npos || time <= 0) continue;
      auto boost = wall_time.find(absl::StrReplaceAll(name, {{"/shm_queue/", "/boost_mq/"}}));
      if (boost != wall_time.end()) std::printf("  %-58s %7.2fx\n", name.c_str(), boost->second / time);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);  // the gRPC child is this binary, spawned
  IpcReporter reporter;
  return mp::bench::RunBenchmarks(argc, argv, &reporter);
}
