// RemotePool against real worker hosts (//pool/remote:worker), each a process of its own
// listening on loopback. (remote_pool_netns_test.sh does the same across network
// namespaces, at addresses it assigns.)

#include "base/put_bug_back.h"
#include "pool/remote/remote_pool.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "ipc/shared_memory.h"
#include "pool/pool.h"
#include "pool/task_exception.h"
#include "pool/remote/stock_tasks.h"
#include "pool/remote/testing/loopback_hosts_test.h"
#include "pool/remote/worker_host.grpc.pb.h"
#include "pool/remote/worker_host.h"
#include "pool/trace/timeline.h"
#include "pool/trace/timeline_files.h"
#include "pool/trace/trace_format.h"
#include "process/life_record.h"
#include "process/testing/counterfactual.h"
#include "process/testing/spawned_program.h"

namespace mp {
namespace {

using ::mp::remote::CountPrimes;
using ::mp::remote::Echo;
using ::mp::remote::HostPid;
using ::mp::remote::NonNegativeOrThrow;
using ::mp::remote::SleepMillis;
using ::mp::remote::Square;
using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Each test's hosts are the stock worker; the fixture stops them after the test and
// checks that none, and none of their shared memory, is left behind.
class RemotePoolTest : public remote::test::LoopbackHostsTest {
 protected:
  RemotePoolTest() : LoopbackHostsTest("pool/remote/worker") {}
};

std::vector<int64_t> Range(int64_t count) {
  std::vector<int64_t> numbers(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) numbers[static_cast<size_t>(i)] = i;
  return numbers;
}

// Passes when a Map over three hosts returns what the local pool returns, and every host
// took part.
TEST_F(RemotePoolTest, MapOverThreeHostsGivesTheLocalPoolsResult) {
  absl::StatusOr<RemotePool> remote = RemotePool::Create({.hosts = StartHosts(3), .auth_token = remote::LoopbackToken()});
  ASSERT_THAT(remote, IsOk());
  absl::StatusOr<Pool> local = Pool::Create({.workers = 2});
  ASSERT_THAT(local, IsOk());

  const std::vector<int64_t> numbers = Range(10'000);
  absl::StatusOr<std::vector<int64_t>> expected = local->Map(Square, numbers);
  ASSERT_THAT(expected, IsOk());
  EXPECT_THAT(remote->Map(Square, numbers, {.chunksize = 50}), IsOkAndHolds(*expected));

  std::vector<std::tuple<int64_t, int64_t>> ranges = {{0, 1000}, {1000, 1000}, {2000, 5000}};
  EXPECT_THAT(remote->Starmap(CountPrimes, ranges), IsOkAndHolds(*local->Starmap(CountPrimes, ranges)));

  absl::StatusOr<std::vector<int64_t>> host_pids = remote->Map(HostPid, Range(300), {.chunksize = 1});
  ASSERT_THAT(host_pids, IsOk());
  EXPECT_EQ(std::set<int64_t>(host_pids->begin(), host_pids->end()).size(), 3u);
  for (const remote::HostStatus& host : remote->Hosts()) {
    EXPECT_TRUE(host.alive) << host.address;
    EXPECT_EQ(host.workers, 2) << host.address;
    EXPECT_GT(host.chunks_done, 0) << host.address;
  }
}

// Passes when a RemotePool's run, recorded (RecordPools), draws as a timeline: each host
// a process track whose call lanes are its threads, every task in exactly one chunk, no
// lane with two calls at once, and the trace keeping the format's rules. Fails if the
// pool recorded no remote_ran lines, or recorded them without their lane (a host's
// concurrent calls would overlap on one track).
TEST_F(RemotePoolTest, ARecordedRunDrawsEachHostsCallLanes) {
  const std::vector<std::string> hosts = StartHosts(2);
  const std::string record = absl::StrCat(std::getenv("TEST_TMPDIR"), "/remote.record");
  ASSERT_TRUE(std::ofstream(record, std::ios::trunc).good());
  ASSERT_THAT(RecordPools(record), IsOk());
  {
    absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = hosts, .auth_token = remote::LoopbackToken()});
    ASSERT_THAT(pool, IsOk());
    EXPECT_THAT(pool->Map(Square, Range(200), {.chunksize = 10}), IsOk());
    pool->Close();
    EXPECT_THAT(pool->Join(kGenerous), IsOk());
  }
  ASSERT_THAT(RecordPools(""), IsOk());
  absl::StatusOr<std::vector<internal::PoolEvent>> events = trace::ReadPoolRecordFile(record);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(trace::PoolIds(*events).size(), 1u);
  const trace::Timeline timeline = trace::FromPoolRecord(*events, trace::PoolIds(*events).front());
  std::set<int64_t> host_pids;
  std::set<uint64_t> tasks;
  for (const auto& [key, track] : timeline.workers) {
    ASSERT_FALSE(track.host.empty()) << "only remote hosts ran chunks";
    host_pids.insert(track.pid);
    EXPECT_GE(track.tid, 1);
    EXPECT_LE(track.tid, 3) << "2 workers per host: 3 calls in flight at most";
    for (const trace::ChunkRun& chunk : track.chunks) {
      EXPECT_EQ(chunk.task, "Square");
      for (uint64_t i = chunk.first; i < chunk.first + chunk.count; ++i) EXPECT_TRUE(tasks.insert(i).second) << i;
    }
  }
  EXPECT_EQ(host_pids.size(), 2u);
  EXPECT_EQ(tasks.size(), 200u);
  EXPECT_THAT(trace::TraceFormatProblems(trace::ChromeTrace(timeline)), ::testing::IsEmpty());
  std::vector<std::string> marks;
  for (const trace::PoolMark& mark : timeline.marks) marks.push_back(mark.what);
  EXPECT_EQ(marks, (std::vector<std::string>{"create", "close", "join"}));
}

// Passes when the rest of Pool's interface works the same over hosts.
TEST_F(RemotePoolTest, ImapUnorderedApplyAsyncCloseAndJoinWorkAsOnOneMachine) {
  absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = StartHosts(2), .auth_token = remote::LoopbackToken()});
  ASSERT_THAT(pool, IsOk());

  absl::StatusOr<ResultStream<int64_t>> stream = pool->ImapUnordered(Square, Range(500), {.chunksize = 7});
  ASSERT_THAT(stream, IsOk());
  std::multiset<int64_t> seen;
  while (true) {
    absl::StatusOr<int64_t> next = stream->Next(kGenerous);
    if (absl::IsOutOfRange(next.status())) break;
    ASSERT_THAT(next, IsOk());
    seen.insert(*next);
  }
  std::multiset<int64_t> squares;
  for (int64_t i = 0; i < 500; ++i) squares.insert(i * i);
  EXPECT_EQ(seen, squares);

  absl::StatusOr<AsyncResult<int64_t>> async = pool->ApplyAsync(Square, int64_t{12});
  ASSERT_THAT(async, IsOk());
  EXPECT_THAT(async->Get(kGenerous), IsOkAndHolds(144));
  EXPECT_THAT(pool->Apply(Echo, std::string("over the wire")), IsOkAndHolds("over the wire"));

  pool->Close();
  EXPECT_THAT(pool->Join(kGenerous), IsOk());
  EXPECT_THAT(pool->Map(Square, Range(3)), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Passes when a host killed in the middle of a map costs nothing but time: its chunks
// are run again on the others and every result is right.
// Passes when a task's exception on a host reaches the caller with its type: a fitting
// code, and the type, message and process in TaskExceptionOf().
TEST_F(RemotePoolTest, ATaskExceptionKeepsItsTypeAcrossHosts) {
  absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = StartHosts(1), .auth_token = remote::LoopbackToken()});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<std::vector<int64_t>> results = pool->Map(NonNegativeOrThrow, std::vector<int64_t>{1, -2, 3});
  ASSERT_THAT(results, StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("negative: -2")));
  std::optional<TaskException> thrown = TaskExceptionOf(results.status());
  ASSERT_TRUE(thrown.has_value()) << results.status();
  EXPECT_EQ(thrown->type, "std::out_of_range");
  EXPECT_EQ(thrown->what, "negative: -2");
  EXPECT_GT(thrown->pid, 0);
  EXPECT_NE(thrown->pid, getpid());
}

TEST_F(RemotePoolTest, AHostKilledMidMapHasItsChunksRunOnTheOthers) {
  absl::StatusOr<RemotePool> pool =
      RemotePool::Create({.hosts = StartHosts(3), .auth_token = remote::LoopbackToken(), .health_interval = absl::Milliseconds(200)});
  ASSERT_THAT(pool, IsOk());
  // 20 ms tasks, one per chunk: the map lasts long enough for the kill to land mid-way.
  std::vector<int64_t> millis(120, 20);
  absl::StatusOr<ResultStream<int64_t>> stream = pool->ImapUnordered(SleepMillis, millis, {.chunksize = 1});
  ASSERT_THAT(stream, IsOk());
  ASSERT_THAT(stream->Next(kGenerous), IsOkAndHolds(20));  // the map is under way
  ASSERT_EQ(kill(hosts_[0].program->pid(), SIGKILL), 0);
  int results = 1;
  while (true) {
    absl::StatusOr<int64_t> next = stream->Next(kGenerous);
    if (absl::IsOutOfRange(next.status())) break;
    ASSERT_THAT(next, IsOkAndHolds(20)) << "result " << results;
    ++results;
  }
  EXPECT_EQ(results, 120);
  const std::vector<remote::HostStatus> hosts = pool->Hosts();
  EXPECT_FALSE(hosts[0].alive);
  EXPECT_FALSE(hosts[0].why_dead.empty());
  EXPECT_TRUE(hosts[1].alive && hosts[2].alive);
  // Later maps use the hosts left.
  EXPECT_THAT(pool->Map(Square, Range(100)), IsOk());
  EXPECT_THAT(hosts_[0].program->Wait(kGenerous), IsOkAndHolds(-SIGKILL));
  hosts_.erase(hosts_.begin());
}

// Lesson 10's claim 5, counterfactual: the chunks of a host that died failed, not run on
// the others (base/put_bug_back.h).
TEST_F(RemotePoolTest, FailingALostHostsChunksFailsLesson10Claim5) {
  EXPECT_THAT(test::FailsWithBugPutBack("RemotePoolTest.AHostKilledMidMapHasItsChunksRunOnTheOthers",
                                        "lost_hosts_chunks_failed"),
              IsOk());
}

// Passes when SIGTERM ends a host in order: exit code 0, its workers gone, its shared
// memory removed (TearDown checks both).
TEST_F(RemotePoolTest, SigtermStopsAHostCleanly) {
  const std::string address = StartHost();
  {
    absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = {address}, .auth_token = remote::LoopbackToken()});
    ASSERT_THAT(pool, IsOk());
    ASSERT_THAT(pool->Map(Square, Range(10)), IsOk());
  }
  ASSERT_EQ(kill(hosts_[0].program->pid(), SIGTERM), 0);
  EXPECT_THAT(hosts_[0].program->Wait(kGenerous), IsOkAndHolds(0));
  hosts_.clear();
}

// Passes when a host with a token refuses calls without it, or with another.
TEST_F(RemotePoolTest, AWrongOrMissingTokenIsRefused) {
  const std::string address = StartHost({"--auth_token=open-sesame"});
  EXPECT_THAT(RemotePool::Create({.hosts = {address}, .auth_token = "guess"}),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr(address)));
  EXPECT_THAT(RemotePool::Create({.hosts = {address}}),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("token")));
  absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = {address}, .auth_token = "open-sesame"});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(Square, Range(10)), IsOk());
}

// Passes when a host asked to listen where other users can reach it (another machine's,
// or this one's: loopback TCP and abstract unix sockets have no permissions), with no
// token, refuses to start (exit code 2, bad usage) rather than serve anyone who connects.
TEST_F(RemotePoolTest, AHostWithoutATokenRefusesToStartWhereOtherUsersCanReachIt) {
  for (const char* address : {"0.0.0.0:0", "127.0.0.1:0", "unix-abstract:mp-no-token"}) {
    absl::StatusOr<test::ProgramOutput> refused = test::RunProgram(
        test::Runfile("pool/remote/worker"), {absl::StrCat("--address=", address), "--workers=1"},
        kGenerous);
    ASSERT_THAT(refused, IsOk());
    EXPECT_EQ(refused->exit_code, 2) << address;
    EXPECT_THAT(refused->stdout_text, Not(HasSubstr("listening on")));
  }
}

// Passes when a host on a unix socket file, which only users the file's permissions let
// in can reach, serves without a token.
TEST_F(RemotePoolTest, AHostOnAUnixSocketFileNeedsNoToken) {
  // A short directory of our own: a socket's path may not exceed 107 bytes.
  char directory[] = "/tmp/mp-host-XXXXXX";
  ASSERT_NE(mkdtemp(directory), nullptr);
  const std::string socket_path = absl::StrCat(directory, "/host.sock");
  const std::string address = absl::StrCat("unix:", socket_path);
  absl::StatusOr<test::SpawnedProgram> host = test::SpawnedProgram::Start(
      test::Runfile("pool/remote/worker"),
      {absl::StrCat("--address=", address), "--workers=1", "--exit_on_stdin_eof"});
  ASSERT_THAT(host, IsOk());
  EXPECT_THAT(host->ReadLine(kGenerous), IsOkAndHolds(absl::StrCat("listening on ", address)));
  {
    absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = {address}});
    ASSERT_THAT(pool, IsOk());
    EXPECT_THAT(pool->Map(Square, Range(5)), IsOk());
  }
  host->CloseStdin();
  EXPECT_THAT(host->Wait(kGenerous), IsOkAndHolds(0));
  unlink(socket_path.c_str());
  rmdir(directory);
}

// A self-signed certificate for 127.0.0.1 made by openssl at test time: its own
// authority. Returns the paths of the certificate and its key, or "" after failing.
std::pair<std::string, std::string> MakeCertificate(const std::string& name) {
  const std::string base = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  absl::StatusOr<test::ProgramOutput> made = test::RunProgram(
      "/usr/bin/openssl",
      {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-keyout", base + ".key", "-out", base + ".pem", "-days", "2", "-subj", "/CN=localhost",
       "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"},
      absl::Seconds(60));
  EXPECT_THAT(made, IsOk());
  if (!made.ok() || made->exit_code != 0) {
    ADD_FAILURE() << "openssl could not make a certificate";
    return {"", ""};
  }
  return {base + ".pem", base + ".key"};
}

// Passes when a host with a certificate talks only TLS: a pool that trusts the host's
// authority works; one that speaks plaintext, or trusts another authority, is refused.
TEST_F(RemotePoolTest, AHostWithACertificateTalksOnlyTlsToPoolsThatTrustIt) {
  const auto [cert, key] = MakeCertificate("host");
  const auto [other_cert, other_key] = MakeCertificate("stranger");
  ASSERT_FALSE(cert.empty() || other_cert.empty());
  const std::string address =
      StartHost({absl::StrCat("--tls_cert_file=", cert), absl::StrCat("--tls_key_file=", key)});
  const RemotePoolOptions trusting = {
      .hosts = {address}, .auth_token = remote::LoopbackToken(), .tls_ca_file = cert};
  {
    absl::StatusOr<RemotePool> pool = RemotePool::Create(trusting);
    ASSERT_THAT(pool, IsOk());
    EXPECT_THAT(pool->Map(Square, Range(10)), IsOk());
  }
  RemotePoolOptions plaintext = trusting;
  plaintext.tls_ca_file = "";
  plaintext.connect_timeout = absl::Seconds(2);
  EXPECT_THAT(RemotePool::Create(plaintext), StatusIs(absl::StatusCode::kUnavailable));
  RemotePoolOptions wrong_authority = plaintext;
  wrong_authority.tls_ca_file = other_cert;
  EXPECT_THAT(RemotePool::Create(wrong_authority), StatusIs(absl::StatusCode::kUnavailable));
  RemotePoolOptions unreadable = trusting;
  unreadable.tls_ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(RemotePool::Create(unreadable), StatusIs(absl::StatusCode::kInvalidArgument));
  // A directory opens but cannot be read: an error value too, not an exception.
  unreadable.tls_ca_file = std::getenv("TEST_TMPDIR");
  EXPECT_THAT(RemotePool::Create(unreadable), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Passes when a host takes its token from a file (not the command line, where every
// local user reads it) and checks it as from the flag.
TEST_F(RemotePoolTest, TheTokenCanComeFromAFile) {
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/token");
  {
    std::ofstream file(path);
    file << "from-a-file\n";
  }
  const std::string address = StartHost({absl::StrCat("--auth_token_file=", path)});
  EXPECT_THAT(RemotePool::Create({.hosts = {address}, .auth_token = "guess"}),
              StatusIs(absl::StatusCode::kUnauthenticated));
  absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = {address}, .auth_token = "from-a-file"});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(Square, Range(3)), IsOk());
}

// Passes when the host refuses to start (exit 2) where its token or certificate is
// ambiguous or missing: a token given two ways; a token file that cannot be read; a
// certificate without its key.
TEST_F(RemotePoolTest, AHostRefusesTokensItCannotTrust) {
  const std::string worker = test::Runfile("pool/remote/worker");
  auto exit_code = [](absl::StatusOr<test::ProgramOutput> run) { return run.ok() ? run->exit_code : -1000; };
  EXPECT_EQ(exit_code(test::RunProgram("/usr/bin/env",
                                       {"MP_WORKER_AUTH_TOKEN=one", worker, "--auth_token=two", "--workers=1"},
                                       kGenerous)),
            2);
  EXPECT_EQ(exit_code(test::RunProgram(worker, {"--auth_token_file=/nonexistent/token", "--workers=1"}, kGenerous)),
            2);
  EXPECT_EQ(exit_code(test::RunProgram(worker, {"--address=unix:x.sock", "--tls_cert_file=x.pem", "--workers=1"},
                                       kGenerous)),
            2);
}

// A host of another build: its Health() says a wire format other than ours.
class HostOfAnotherBuild final : public remote::WorkerHostService::Service {
  grpc::Status Health(grpc::ServerContext*, const remote::HealthRequest*, remote::HealthReply* reply) override {
    reply->set_workers(1);
    reply->set_wire_format("mp-pool-wire/0 big-endian");
    return grpc::Status::OK;
  }
};

// Passes when a pool refuses a host that lays out bytes differently, naming both
// formats, instead of misreading its answers.
TEST_F(RemotePoolTest, AHostOfAnotherWireFormatIsRefused) {
  HostOfAnotherBuild service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(RemotePool::Create({.hosts = {absl::StrCat("127.0.0.1:", port)}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("mp-pool-wire/0 big-endian"), HasSubstr(remote::WireFormat()))));
  server->Shutdown();
}

// A loopback port that nothing listens on: bound, its number read, closed.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// Passes when a host nobody serves at is an error that names it, not a hang.
TEST_F(RemotePoolTest, AHostThatCannotBeReachedIsAClearErrorWithinTheDeadline) {
  const std::string nobody = absl::StrCat("127.0.0.1:", UnusedPort());
  const absl::Time start = absl::Now();
  EXPECT_THAT(RemotePool::Create({.hosts = {StartHost(), nobody},
                                  .auth_token = remote::LoopbackToken(),
                                  .connect_timeout = absl::Seconds(2)}),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr(nobody)));
  // A bound, not a speed claim: it must give up by its deadline (plus slack for a busy
  // machine), never wait indefinitely.
  EXPECT_LT(absl::Now() - start, absl::Seconds(2) + absl::Seconds(20));
}

// Passes when a chunk that outlives call_timeout fails with DeadlineExceeded.
TEST_F(RemotePoolTest, AChunkThatOutlivesItsDeadlineFails) {
  absl::StatusOr<RemotePool> pool =
      RemotePool::Create({.hosts = {StartHost()}, .auth_token = remote::LoopbackToken(), .call_timeout = absl::Milliseconds(300)});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Apply(SleepMillis, int64_t{3000}),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("call_timeout")));
  EXPECT_THAT(pool->Apply(Square, int64_t{3}), IsOkAndHolds(9));  // the host still serves
}

// Lesson 10's claim 7, counterfactual: a call without a deadline waits for the chunk,
// however long it takes.
TEST_F(RemotePoolTest, ACallWithoutADeadlineFailsLesson10Claim7) {
  EXPECT_THAT(test::FailsWithBugPutBack("RemotePoolTest.AChunkThatOutlivesItsDeadlineFails",
                                        "remote_calls_without_deadline"),
              IsOk());
}

// Passes when malformed and oversized requests get a status each, and the host serves
// on.
TEST_F(RemotePoolTest, MalformedAndOversizedRequestsAreRefusedAndTheHostServesOn) {
  const std::string address = StartHost({"--max_message_bytes=4096"});
  auto stub = remote::WorkerHostService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto run = [&](const std::string& task, uint64_t count, const std::string& args) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kGenerous));
    context.AddMetadata(remote::kAuthorizationKey, remote::AuthorizationValue(remote::LoopbackToken()));
    remote::ChunkRequest request;
    request.set_task_name(task);
    request.set_count(count);
    request.set_args(args);
    remote::ChunkReply reply;
    return stub->RunChunk(&context, request, &reply).error_code();
  };
  const std::string two_numbers(16, '\0');
  EXPECT_EQ(run("NoSuchTask", 2, two_numbers), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(run("Square", 0, ""), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(run("Square", 3, two_numbers), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(run("Square", 2, "short"), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(run("Echo", 1, std::string(8, '\xff')), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(run("Square", 1'000, std::string(8'000, '\0')), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(run("Square", 2, two_numbers), grpc::StatusCode::OK);

  // Through a pool: a chunk too big fails its tasks with the same status; the pool and
  // the host go on.
  absl::StatusOr<RemotePool> pool = RemotePool::Create({.hosts = {address}, .auth_token = remote::LoopbackToken()});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Apply(Echo, std::string(10'000, 'x')),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr(address)));
  EXPECT_THAT(pool->Apply(Echo, std::string("small")), IsOkAndHolds("small"));
}

// Lesson 10's claim 3, counterfactual: a host that leaves gRPC's own limits in place of
// --max_message_bytes takes the oversized chunk.
TEST_F(RemotePoolTest, AHostWithoutItsMessageLimitFailsLesson10Claim3) {
  EXPECT_THAT(test::FailsWithBugPutBack("RemotePoolTest.MalformedAndOversizedRequestsAreRefusedAndTheHostServesOn",
                                        "host_without_a_message_limit"),
              IsOk());
}

}  // namespace
}  // namespace mp
