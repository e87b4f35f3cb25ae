#include "pool/pool.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <atomic>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "base/testing/status_matchers.h"
#include "base/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/barrier.h"
#include "ipc/byte_queue.h"
#include "ipc/codec.h"
#include "ipc/event.h"
#include "ipc/internal/copy_hook.h"
#include "ipc/pipe.h"
#include "ipc/shared_memory.h"
#include "ipc/shared_value.h"
#include "ipc/testing/ipc_leak_check.h"
#include "ipc/testing/queue_damage.h"
#include "pool/internal/wire.h"
#include "pool/internal/worker.h"
#include "pool/pool_task.h"
#include "process/process.h"
#include "process/testing/counterfactual.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kGenerous = absl::Seconds(120);

// --- Tasks: registered so that fork, spawn and forkserver workers all find them --------

int Double(int x) { return 2 * x; }
MP_POOL_TASK(Double);

int64_t Identity(int64_t x) { return x; }
MP_POOL_TASK(Identity);

int Add(int a, int b) { return a + b; }
MP_POOL_TASK(Add);

pid_t WorkerPid(int) { return getpid(); }
MP_POOL_TASK(WorkerPid);

// Fails for 3 with a status, throws for 4.
absl::StatusOr<int> Picky(int x) {
  if (x == 3) return absl::InvalidArgumentError("three is not allowed");
  if (x == 4) throw std::runtime_error("four is worse");
  return x;
}
MP_POOL_TASK(Picky);

// The same exception from a task with plain number arguments and result, which workers
// run on a faster path (arrays in, arrays out).
int64_t ThrowsOnFour(int64_t x) {
  if (x == 4) throw std::runtime_error("four is worse");
  return x * 11;
}
MP_POOL_TASK(ThrowsOnFour);

// Returns only once `parties` tasks wait here at the same time.
pid_t MeetAtBarrier(std::string barrier_name) {
  absl::StatusOr<Barrier> barrier = Barrier::Attach(barrier_name);
  if (!barrier.ok() || !barrier->Wait(kGenerous).ok()) return -1;
  return getpid();
}
MP_POOL_TASK(MeetAtBarrier);

std::string Bytes(int64_t size) { return std::string(static_cast<size_t>(size), 'b'); }
MP_POOL_TASK(Bytes);

// Kills its own worker halfway through copying its result into the results queue: a
// result this large is copied without the queue's lock, so the worker dies holding the
// queue's write slot (ipc/internal/copy_hook.h).
std::string BytesDyingMidCopy(int64_t size) {
  internal::SetCopyHookForTesting([](internal::CopyStage stage) {
    if (stage == internal::CopyStage::kWriting) raise(SIGKILL);
  });
  return std::string(static_cast<size_t>(size), 'd');
}
MP_POOL_TASK(BytesDyingMidCopy);

// Records its worker's pid where the test can read it, says so, then waits to be killed.
int HoldUntilKilled(std::string hostage_name, std::string holding_name) {
  absl::StatusOr<RawSharedValue<int32_t>> hostage = RawSharedValue<int32_t>::Attach(hostage_name);
  absl::StatusOr<Event> holding = Event::Attach(holding_name);
  if (!hostage.ok() || !holding.ok()) return -1;
  std::atomic_ref<int32_t>(**hostage).store(getpid());
  holding->Set();
  while (true) pause();
}
MP_POOL_TASK(HoldUntilKilled);

// Dies by SIGSEGV (the default action, not a sanitizer's handler).
int Segfault(int) {
  signal(SIGSEGV, SIG_DFL);
  raise(SIGSEGV);
  return 0;
}
MP_POOL_TASK(Segfault);

int setting = 0;
void Configure(int value) { setting = value; }
MP_POOL_TASK(Configure);
int ReadSetting(int) { return setting; }
MP_POOL_TASK(ReadSetting);

void FailToConfigure(int) { throw std::runtime_error("no database"); }
MP_POOL_TASK(FailToConfigure);

int NotRegistered(int x) { return x; }

bool IsEven(int x) { return x % 2 == 0; }
MP_POOL_TASK(IsEven);

int64_t Length(std::string text) { return static_cast<int64_t>(text.size()); }
MP_POOL_TASK(Length);

// The scheduling policy of the worker that runs it.
int SchedulingPolicy(int) { return sched_getscheduler(0); }
MP_POOL_TASK(SchedulingPolicy);

class PoolTest : public test::IpcLeakCheckedTest,
                 public ::testing::WithParamInterface<StartMethod> {};

INSTANTIATE_TEST_SUITE_P(AllStartMethods, PoolTest,
                         ::testing::Values(StartMethod::kFork, StartMethod::kSpawn,
                                           StartMethod::kForkServer),
                         [](const ::testing::TestParamInfo<StartMethod>& info) {
                           return std::string(StartMethodName(info.param));
                         });

// The seed's own example.
TEST_P(PoolTest, MapDoublesEachNumberInOrder) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 4, .start_method = GetParam()});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(Double, std::vector<int>{1, 2, 3, 4, 5}),
              IsOkAndHolds(ElementsAre(2, 4, 6, 8, 10)));
  EXPECT_THAT(pool->Starmap(Add, std::vector<std::tuple<int, int>>{{1, 2}, {3, 4}}),
              IsOkAndHolds(ElementsAre(3, 7)));
  absl::StatusOr<MapResult<int>> async =
      pool->StarmapAsync(Add, std::vector<std::tuple<int, int>>{{1, 2}, {3, 4}, {5, 6}});
  ASSERT_THAT(async, IsOk());
  EXPECT_THAT(async->Get(kGenerous), IsOkAndHolds(ElementsAre(3, 7, 11)));
  EXPECT_THAT(pool->Apply(Add, 20, 22), IsOkAndHolds(42));
}

// Passes when N tasks meet at a barrier of N: only possible if N workers run at once,
// each a different process from this one.
TEST_P(PoolTest, TasksRunInDifferentProcessesAtTheSameTime) {
  constexpr int kWorkers = 3;
  absl::StatusOr<Pool> pool = Pool::Create({.workers = kWorkers, .start_method = GetParam()});
  absl::StatusOr<Barrier> barrier = Barrier::Create(kWorkers);
  ASSERT_THAT(pool, IsOk());
  ASSERT_THAT(barrier, IsOk());
  absl::StatusOr<std::vector<pid_t>> pids = pool->Map(
      MeetAtBarrier, std::vector<std::string>(kWorkers, barrier->name()), {.chunksize = 1});
  ASSERT_THAT(pids, IsOk());
  std::set<pid_t> distinct(pids->begin(), pids->end());
  EXPECT_EQ(distinct.size(), kWorkers);
  EXPECT_EQ(distinct.count(getpid()), 0);
  EXPECT_EQ(distinct.count(-1), 0);
}

// Passes when workers run under SCHED_BATCH unless PoolOptions::batch_scheduling says
// not to.
TEST_P(PoolTest, WorkersRunUnderBatchSchedulingUnlessToldNot) {
  for (bool batch_scheduling : {true, false}) {
    absl::StatusOr<Pool> pool = Pool::Create(
        {.workers = 2, .start_method = GetParam(), .batch_scheduling = batch_scheduling});
    ASSERT_THAT(pool, IsOk());
    EXPECT_THAT(pool->Apply(SchedulingPolicy, 0),
                IsOkAndHolds(batch_scheduling ? SCHED_BATCH : SCHED_OTHER))
        << "batch_scheduling: " << batch_scheduling;
  }
}

// Passes when a task's error or exception reaches the caller with its worker's pid,
// and the other tasks' results are unaffected.
TEST_P(PoolTest, ATaskErrorIsThatTasksResultOnly) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .start_method = GetParam()});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(Picky, std::vector<int>{1, 2, 3, 4, 5}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("task 2 failed in worker")));
  absl::StatusOr<MapResult<int>> async = pool->MapAsync(Picky, std::vector<int>{1, 2, 3, 4, 5});
  ASSERT_THAT(async, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int>>> each = async->GetEach(kGenerous);
  ASSERT_THAT(each, IsOk());
  EXPECT_THAT((*each)[0], IsOkAndHolds(1));
  EXPECT_THAT((*each)[2], StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("three")));
  EXPECT_THAT((*each)[3], StatusIs(absl::StatusCode::kUnknown, HasSubstr("four is worse")));
  EXPECT_THAT((*each)[4], IsOkAndHolds(5));
  EXPECT_FALSE(async->Successful());
}

// A chunk travels as one block of arguments and returns as one block of results plus the
// errors: each result must still land at its own task's index, whatever its type.
TEST_P(PoolTest, ResultsAndErrorsInOneChunkEachLandAtTheirOwnTask) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .start_method = GetParam()});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<MapResult<int>> mixed =
      pool->MapAsync(Picky, std::vector<int>{1, 2, 3, 4, 5, 6}, {.chunksize = 6});
  ASSERT_THAT(mixed, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int>>> each = mixed->GetEach(kGenerous);
  ASSERT_THAT(each, IsOk());
  ASSERT_EQ(each->size(), 6u);
  EXPECT_THAT((*each)[1], IsOkAndHolds(2));
  EXPECT_THAT((*each)[2], StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("task 2 failed")));
  EXPECT_THAT((*each)[3], StatusIs(absl::StatusCode::kUnknown, HasSubstr("task 3 failed")));
  EXPECT_THAT((*each)[4], IsOkAndHolds(5));
  EXPECT_THAT((*each)[5], IsOkAndHolds(6));

  // Results of varying size (strings), and bools (kept apart from std::vector<bool>).
  absl::StatusOr<std::vector<std::string>> strings =
      pool->Map(Bytes, std::vector<int64_t>{3, 0, 1, 2}, {.chunksize = 3});
  ASSERT_THAT(strings, IsOk());
  EXPECT_THAT(*strings, ElementsAre("bbb", "", "b", "bb"));
  std::vector<int> numbers(101);
  for (int i = 0; i < 101; ++i) numbers[i] = i;
  absl::StatusOr<std::vector<bool>> even = pool->Map(IsEven, numbers, {.chunksize = 7});
  ASSERT_THAT(even, IsOk());
  ASSERT_EQ(even->size(), numbers.size());
  for (int i = 0; i < 101; ++i) EXPECT_EQ((*even)[i], i % 2 == 0) << i;

  // Numbers in and out (the workers' array path), an exception in the middle of the chunk.
  absl::StatusOr<MapResult<int64_t>> fixed =
      pool->MapAsync(ThrowsOnFour, std::vector<int64_t>{1, 2, 3, 4, 5, 6}, {.chunksize = 6});
  ASSERT_THAT(fixed, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> fixed_each = fixed->GetEach(kGenerous);
  ASSERT_THAT(fixed_each, IsOk());
  ASSERT_EQ(fixed_each->size(), 6u);
  EXPECT_THAT((*fixed_each)[2], IsOkAndHolds(33));
  EXPECT_THAT((*fixed_each)[3], StatusIs(absl::StatusCode::kUnknown, HasSubstr("four is worse")));
  EXPECT_THAT((*fixed_each)[4], IsOkAndHolds(55));
  EXPECT_THAT((*fixed_each)[5], IsOkAndHolds(66));
}

// 100k items with chunksizes 1, 7 and automatic: Map and Imap in order, ImapUnordered
// complete.
class PoolOrderTest : public test::IpcLeakCheckedTest,
                      public ::testing::WithParamInterface<int64_t> {};

INSTANTIATE_TEST_SUITE_P(Chunksizes, PoolOrderTest, ::testing::Values(1, 7, 0),
                         [](const ::testing::TestParamInfo<int64_t>& info) {
                           return info.param == 0 ? std::string("auto")
                                                  : absl::StrCat("chunksize_", info.param);
                         });

TEST_P(PoolOrderTest, ResultsAreOrderedOrCompleteFor100kItems) {
  constexpr int64_t kItems = 100'000;
  std::vector<int64_t> inputs(kItems);
  for (int64_t i = 0; i < kItems; ++i) inputs[i] = i;
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 4});
  ASSERT_THAT(pool, IsOk());
  const MapOptions options{.chunksize = GetParam()};

  absl::StatusOr<std::vector<int64_t>> mapped = pool->Map(Identity, inputs, options);
  ASSERT_THAT(mapped, IsOk());
  EXPECT_TRUE(*mapped == inputs);

  absl::StatusOr<ResultStream<int64_t>> ordered = pool->Imap(Identity, inputs, options);
  ASSERT_THAT(ordered, IsOk());
  for (int64_t i = 0; i < kItems; ++i) ASSERT_THAT(ordered->Next(kGenerous), IsOkAndHolds(i));
  EXPECT_THAT(ordered->Next(), StatusIs(absl::StatusCode::kOutOfRange));

  absl::StatusOr<ResultStream<int64_t>> unordered = pool->ImapUnordered(Identity, inputs, options);
  ASSERT_THAT(unordered, IsOk());
  std::vector<int64_t> arrived;
  for (int64_t i = 0; i < kItems; ++i) {
    absl::StatusOr<int64_t> next = unordered->Next(kGenerous);
    ASSERT_THAT(next, IsOk());
    arrived.push_back(*next);
  }
  EXPECT_THAT(unordered->Next(), StatusIs(absl::StatusCode::kOutOfRange));
  std::sort(arrived.begin(), arrived.end());
  EXPECT_TRUE(arrived == inputs);
}

class PoolFailureTest : public test::IpcLeakCheckedTest {};

// Passes when the task whose worker is SIGKILLed fails with an error naming the signal,
// every other task succeeds, the call returns, and the worker is replaced.
TEST_F(PoolFailureTest, AWorkerKilledMidTaskFailsThatTaskOnly) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  absl::StatusOr<RawSharedValue<int32_t>> hostage = RawSharedValue<int32_t>::Create();
  absl::StatusOr<Event> holding = Event::Create();
  ASSERT_THAT(pool, IsOk());
  ASSERT_THAT(hostage, IsOk());
  ASSERT_THAT(holding, IsOk());
  absl::StatusOr<AsyncResult<int>> doomed =
      pool->ApplyAsync(HoldUntilKilled, hostage->name(), holding->name());
  ASSERT_THAT(doomed, IsOk());
  absl::StatusOr<MapResult<int>> others = pool->MapAsync(Double, std::vector<int>{1, 2, 3, 4});
  ASSERT_THAT(others, IsOk());
  ASSERT_THAT(holding->Wait(kGenerous), IsOk());
  const pid_t victim = std::atomic_ref<int32_t>(**hostage).load();
  ASSERT_EQ(kill(victim, SIGKILL), 0);

  EXPECT_THAT(doomed->Get(kGenerous),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr(absl::StrCat("worker ", victim, " was killed by SIGKILL"))));
  EXPECT_THAT(others->Get(kGenerous), IsOkAndHolds(ElementsAre(2, 4, 6, 8)));
  std::vector<pid_t> pids = pool->WorkerPids();
  EXPECT_EQ(pids.size(), 2);
  EXPECT_EQ(std::count(pids.begin(), pids.end(), victim), 0);
  EXPECT_THAT(pool->Map(Double, std::vector<int>{5}), IsOkAndHolds(ElementsAre(10)));
}

TEST_F(PoolFailureTest, ASegfaultIsReportedByName) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Apply(Segfault, 0),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("SIGSEGV")));
  EXPECT_THAT(pool->Apply(Double, 4), IsOkAndHolds(8));
}

// A task may exit with any code, even one the worker uses for its own start-up failures.
int ExitWith(int code) { _exit(code); }
MP_POOL_TASK(ExitWith);

// Passes when a task that exits with the codes of the worker's start-up failures (3, 4)
// fails alone, as any crash does, instead of breaking the pool.
TEST_F(PoolFailureTest, ATaskExitingWithAStartUpFailureCodeDoesNotBreakThePool) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
  ASSERT_THAT(pool, IsOk());
  for (int code : {3, 4, 5}) {
    EXPECT_THAT(pool->Apply(ExitWith, code),
                StatusIs(absl::StatusCode::kAborted, HasSubstr(absl::StrCat("exited with code ", code))));
  }
  EXPECT_THAT(pool->Apply(Double, 4), IsOkAndHolds(8));
}

// Lesson 9's claim 5, counterfactual: the bug this test found, put back.
TEST_F(PoolFailureTest, TakingExitCodesForStartUpFailuresFailsLesson9Claim5) {
  EXPECT_THAT(
      test::FailsWithBugPutBack("PoolFailureTest.ATaskExitingWithAStartUpFailureCodeDoesNotBreakThePool",
                                "exit_code_taken_for_start_up_failure"),
      IsOk());
}

// Counts its runs through `fd` (a pipe's write end the fork()ed workers inherited), then
// ends its worker with exit code 0, as a task calling exit(0) does.
int CountThenExitZero(int fd) {
  (void)!write(fd, "x", 1);
  _exit(0);
}
MP_POOL_TASK(CountThenExitZero);

// fork()s; the copy sends its pid through `fd` and returns into the worker's loop, and
// the worker itself exits 0.
int ForkThenExitZero(int fd) {
  if (fork() == 0) {
    const pid_t copy = getpid();
    (void)!write(fd, &copy, sizeof copy);
    return 1;
  }
  _exit(0);
}
MP_POOL_TASK(ForkThenExitZero);

// Everything written to `pipe` so far (its write end closed first).
std::string Drain(internal::Pipe& pipe) {
  pipe.write_end.Reset();
  std::string all;
  char buffer[256];
  for (ssize_t got; (got = read(pipe.read_end.get(), buffer, sizeof buffer)) > 0;) {
    all.append(buffer, static_cast<size_t>(got));
  }
  return all;
}

// Passes when a task that ends its worker with exit code 0 fails its chunk like any
// other death: Aborted, naming exit code 0, after 1 + retries runs. (It was re-sent
// uncounted, forever: Map never returned.)
TEST_F(PoolFailureTest, ATaskThatExitsWithCodeZeroFailsAfterItsRetries) {
  absl::StatusOr<internal::Pipe> runs = internal::MakePipe();
  ASSERT_THAT(runs, IsOk());
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1, .retries = 2});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(CountThenExitZero, std::vector<int>{runs->write_end.get()}),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("exited with code 0")));
  EXPECT_THAT(pool->Apply(Double, 4), IsOkAndHolds(8));
  pool->Close();
  ASSERT_THAT(pool->Join(kGenerous), IsOk());
  EXPECT_EQ(Drain(*runs), "xxx");
}

// Passes when a task that fork()s and then ends its worker fails, and the copy it made
// does not live on as a second worker: it has exited by the time the call returns
// (waited for through a pidfd, with a bound only a hang would reach).
TEST_F(PoolFailureTest, AProcessForkedByATaskDoesNotLiveOnAsAWorker) {
  absl::StatusOr<internal::Pipe> copies = internal::MakePipe();
  ASSERT_THAT(copies, IsOk());
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1, .retries = 1});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Apply(ForkThenExitZero, copies->write_end.get()),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("exited with code 0")));
  pool->Close();
  ASSERT_THAT(pool->Join(kGenerous), IsOk());
  const std::string pids = Drain(*copies);
  ASSERT_EQ(pids.size(), 2 * sizeof(pid_t));  // one copy per run
  for (size_t at = 0; at < pids.size(); at += sizeof(pid_t)) {
    pid_t copy = 0;
    std::memcpy(&copy, pids.data() + at, sizeof copy);
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, copy, 0));
    if (pidfd < 0) continue;  // gone already (and reaped by init)
    pollfd ended = {pidfd, POLLIN, 0};
    EXPECT_EQ(poll(&ended, 1, static_cast<int>(absl::ToInt64Milliseconds(kGenerous))), 1)
        << "the task's copy " << copy << " is still running";
    close(pidfd);
  }
}

// Put an answer on their worker's results queue that is wrong on purpose, then return
// as usual: one for a chunk the worker is not running, one whose body is cut short, one
// that does not even say whose it is.
absl::Status PutOnResultsQueue(const std::string& answer) {
  ByteQueue* results = internal::ResultsQueueForTesting();
  if (results == nullptr) return absl::FailedPreconditionError("not in a pool worker");
  return results->Put(answer);
}

int AnswerForAnotherChunk(int x) {
  std::string answer;
  internal::EncodeResults({.job = 0, .first_index = 12345, .count = 1, .worker_pid = getpid()},
                          answer);
  return PutOnResultsQueue(answer).ok() ? x : -1;
}
MP_POOL_TASK(AnswerForAnotherChunk);

int AnswerCutShort(int x) {
  std::string answer;
  internal::EncodeResults({.count = 1, .worker_pid = getpid(), .values = "12345678"}, answer);
  answer.resize(answer.size() - 3);
  return PutOnResultsQueue(answer).ok() ? x : -1;
}
MP_POOL_TASK(AnswerCutShort);

int AnswerUnreadable(int x) { return PutOnResultsQueue("\x01").ok() ? x : -1; }
MP_POOL_TASK(AnswerUnreadable);

// Passes when an answer that names a chunk its worker is not running, or arrives cut
// short, fails the chunk the worker was running with DataLoss (it was dropped silently,
// so a lost answer left its call waiting), and the pool goes on with a new worker.
TEST_F(PoolFailureTest, AnAnswerThatDoesNotMatchItsChunkFailsThatChunkWithDataLoss) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Apply(AnswerForAnotherChunk, 7),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("named tasks 12345.. of job 0")));
  EXPECT_THAT(pool->Apply(Double, 4), IsOkAndHolds(8));
  EXPECT_THAT(pool->Apply(AnswerCutShort, 7),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("arrived damaged")));
  EXPECT_THAT(pool->Map(Double, std::vector<int>{1, 2, 3}), IsOkAndHolds(ElementsAre(2, 4, 6)));
}

// Passes when an answer that does not even say whose it is fails the calls waiting with
// DataLoss, now and after, instead of leaving one of them waiting forever.
TEST_F(PoolFailureTest, AnUnreadableAnswerBreaksThePoolWithDataLoss) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Apply(AnswerUnreadable, 7),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("damaged beyond reading")));
  EXPECT_THAT(pool->Apply(Double, 4), StatusIs(absl::StatusCode::kDataLoss));
}

// Writes over the counters of the results queue this worker answers on (the bytes from
// its ring's size to its item count, through a mapping of its own): a wild write.
int DamageTheResultsQueue(int x) {
  ByteQueue* results = internal::ResultsQueueForTesting();
  if (results == nullptr) return -1;
  absl::StatusOr<test::QueueDamage> damage = test::QueueDamage::Of(results->name());
  if (!damage.ok()) return -1;
  damage->CountUp();
  return x;
}
MP_POOL_TASK(DamageTheResultsQueue);

// Passes when a task that writes over the results queue's shared state fails the calls
// with DataLoss, and the pool's owner neither crashes reading the damage nor hangs.
TEST_F(PoolFailureTest, AResultsQueueDamagedByATaskBreaksThePoolWithDataLoss) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Apply(DamageTheResultsQueue, 7),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("results queue was damaged")));
  EXPECT_THAT(pool->Map(Double, std::vector<int>{1, 2}), StatusIs(absl::StatusCode::kDataLoss));
}

// Passes when a 10k-task map with a randomly chosen worker SIGKILLed along the way
// returns, with only the killed worker's running chunk failed; with retries, none.
TEST_F(PoolFailureTest, KillingARandomWorkerDuringABigMapFailsAtMostOneChunk) {
  constexpr int kTasks = 10'000;
  constexpr int64_t kChunksize = 10;
  std::vector<int> inputs(kTasks);
  for (int i = 0; i < kTasks; ++i) inputs[i] = i;
  for (int retries : {0, 1}) {
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 3, .retries = retries});
    ASSERT_THAT(pool, IsOk());
    absl::StatusOr<ResultStream<int>> stream =
        pool->Imap(Double, inputs, {.chunksize = kChunksize});
    ASSERT_THAT(stream, IsOk());
    std::vector<absl::StatusOr<int>> results;
    std::vector<pid_t> pids = pool->WorkerPids();
    const pid_t victim = pids[static_cast<size_t>(getpid()) % pids.size()];
    for (int i = 0; i < kTasks; ++i) {
      if (i == kTasks / 10) {
        ASSERT_EQ(kill(victim, SIGKILL), 0);
      }
      results.push_back(stream->Next(kGenerous));
    }
    int failed = 0;
    for (int i = 0; i < kTasks; ++i) {
      if (results[i].ok()) {
        EXPECT_EQ(*results[i], 2 * i);
      } else {
        ++failed;
        EXPECT_THAT(results[i], StatusIs(absl::StatusCode::kAborted, HasSubstr("SIGKILL")));
      }
    }
    EXPECT_LE(failed, retries == 0 ? kChunksize : 0) << "retries: " << retries;
  }
}

// Passes when each of 1000 tasks runs in a fresh worker process, without a hang.
TEST_F(PoolFailureTest, OneTaskPerChildUsesAFreshProcessForEachTask) {
  constexpr int kTasks = 1000;
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 4, .max_tasks_per_child = 1});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<std::vector<pid_t>> pids =
      pool->Map(WorkerPid, std::vector<int>(kTasks), {.chunksize = 1});
  ASSERT_THAT(pids, IsOk());
  EXPECT_EQ(std::set<pid_t>(pids->begin(), pids->end()).size(), kTasks);
}

TEST_F(PoolFailureTest, TheInitializerRunsInEveryWorkerAndItsFailureBreaksThePool) {
  absl::StatusOr<Pool> configured =
      Pool::Create({.workers = 2, .initializer = Call(Configure, 42)});
  ASSERT_THAT(configured, IsOk());
  EXPECT_THAT(configured->Map(ReadSetting, std::vector<int>(8), {.chunksize = 1}),
              IsOkAndHolds(std::vector<int>(8, 42)));

  absl::StatusOr<Pool> broken = Pool::Create({.workers = 1, .initializer = Call(FailToConfigure, 0)});
  ASSERT_THAT(broken, IsOk());
  // The worker's start-up report carries the initializer's own error.
  EXPECT_THAT(broken->Map(Double, std::vector<int>{1}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("initializer failed"), HasSubstr("no database"))));
  EXPECT_THAT(Pool::Create({.initializer = Call(NotRegistered, 1)}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("MP_POOL_TASK")));
}

TEST_F(PoolFailureTest, MisuseIsReportedNotFatal) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 1});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Map(NotRegistered, std::vector<int>{1}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("MP_POOL_TASK")));
  EXPECT_THAT(pool->Join(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(pool->Map(Double, std::vector<int>{}), IsOkAndHolds(ElementsAre()));
  EXPECT_THAT(Pool::Create({.workers = -1}), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Passes when Close() refuses new work but finishes the old, Join() waits for it, and
// Terminate() cancels what is still running.
TEST_F(PoolFailureTest, CloseJoinAndTerminate) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<MapResult<int>> queued = pool->MapAsync(Double, std::vector<int>{1, 2, 3});
  ASSERT_THAT(queued, IsOk());
  pool->Close();
  EXPECT_THAT(pool->Map(Double, std::vector<int>{1}), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(pool->Join(kGenerous), IsOk());
  EXPECT_THAT(queued->Get(absl::ZeroDuration()), IsOkAndHolds(ElementsAre(2, 4, 6)));

  absl::StatusOr<Pool> busy = Pool::Create({.workers = 1});
  absl::StatusOr<RawSharedValue<int32_t>> hostage = RawSharedValue<int32_t>::Create();
  absl::StatusOr<Event> holding = Event::Create();
  ASSERT_THAT(busy, IsOk());
  ASSERT_THAT(hostage, IsOk());
  ASSERT_THAT(holding, IsOk());
  absl::StatusOr<AsyncResult<int>> stuck =
      busy->ApplyAsync(HoldUntilKilled, hostage->name(), holding->name());
  ASSERT_THAT(stuck, IsOk());
  ASSERT_THAT(holding->Wait(kGenerous), IsOk());
  busy->Terminate();
  EXPECT_THAT(stuck->Get(absl::ZeroDuration()), StatusIs(absl::StatusCode::kCancelled));
  EXPECT_THAT(busy->Join(), IsOk());
}

// Passes when Close() and Terminate(), arriving while other threads are still sending a
// big map's chunks (each chunk goes out as soon as it is encoded), neither lose those
// chunks nor hang: after Close() every accepted map completes; after Terminate() every
// accepted map completes or is cancelled.
TEST_F(PoolFailureTest, CloseOrTerminateDuringABigSubmitNeitherLosesChunksNorHangs) {
  constexpr int kThreads = 3;
  constexpr int kTasks = 30'000;
  std::vector<int> inputs(kTasks);
  for (int i = 0; i < kTasks; ++i) inputs[i] = i;
  for (bool terminate : {false, true}) {
    SCOPED_TRACE(terminate ? "Terminate()" : "Close()");
    absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
    ASSERT_THAT(pool, IsOk());
    std::vector<absl::StatusOr<MapResult<int>>> maps(kThreads, absl::UnknownError("not run"));
    std::atomic<int> started{0};
    std::vector<std::thread> submitters;
    for (int t = 0; t < kThreads; ++t) {
      submitters.emplace_back([&, t] {
        ++started;
        maps[t] = pool->MapAsync(Double, inputs, {.chunksize = 10});
      });
    }
    while (started.load() < kThreads) std::this_thread::yield();  // all about to submit
    if (terminate) {
      pool->Terminate();
    } else {
      pool->Close();
    }
    for (std::thread& submitter : submitters) submitter.join();
    EXPECT_THAT(pool->Join(kGenerous), IsOk());
    for (const absl::StatusOr<MapResult<int>>& map : maps) {
      if (!map.ok()) {
        EXPECT_THAT(map, StatusIs(absl::StatusCode::kFailedPrecondition));  // refused
        continue;
      }
      absl::StatusOr<std::vector<int>> doubled = map->Get(kGenerous);
      if (terminate && !doubled.ok()) {
        EXPECT_THAT(doubled, StatusIs(absl::StatusCode::kCancelled));
        continue;
      }
      ASSERT_THAT(doubled, IsOk());
      ASSERT_EQ(doubled->size(), static_cast<size_t>(kTasks));
      EXPECT_EQ((*doubled)[kTasks - 1], 2 * (kTasks - 1));
    }
  }
}

// Passes when, for every start method, the workers of a pool whose process exits or ends
// by SIGTERM, SIGINT or SIGKILL exit on their own, and once they have, no process holds
// any of the pool's shared memory (the kernel has freed it: nothing to clean up).
TEST_F(PoolFailureTest, NothingOfAPoolOutlivesItsProcessHoweverItEnds) {
  for (StartMethod method : {StartMethod::kFork, StartMethod::kSpawn, StartMethod::kForkServer}) {
    for (int ending : {0, SIGTERM, SIGINT, SIGKILL}) {
      SCOPED_TRACE(absl::StrCat("start method ", static_cast<int>(method), ", signal ", ending));
      absl::StatusOr<PipeEnds> pipe = Pipe();
      ASSERT_THAT(pipe, IsOk());
      Process owner([&] {
        absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .start_method = method});
        if (!pool.ok() || !pool->Map(Double, std::vector<int>{1, 2, 3}).ok() ||
            !pipe->second.Send(Encode(pool->WorkerPids())).ok()) {
          return 1;
        }
        (void)pipe->second.Recv();  // until told to exit, or killed
        return 0;
      });
      ASSERT_THAT(owner.Start(), IsOk());
      absl::StatusOr<std::string> message = pipe->first.Recv();
      ASSERT_THAT(message, IsOk());
      absl::StatusOr<std::vector<pid_t>> workers = Decode<std::vector<pid_t>>(*message);
      ASSERT_THAT(workers, IsOk());
      ASSERT_EQ(workers->size(), 2);
      const pid_t owner_pid = *owner.pid();
      std::vector<pid_t> holders = ProcessesHoldingSegmentsOf(owner_pid);
      for (pid_t process : {owner_pid, (*workers)[0], (*workers)[1]}) {
        EXPECT_THAT(holders, ::testing::Contains(process)) << "it maps the pool's queues";
      }
      // A pidfd becomes readable when its process ends, whoever's child it is.
      std::vector<int> pidfds;
      for (pid_t worker : *workers) {
        pidfds.push_back(static_cast<int>(syscall(SYS_pidfd_open, worker, 0)));
        ASSERT_GE(pidfds.back(), 0);
      }
      if (ending == 0) {
        ASSERT_THAT(pipe->first.Send("exit"), IsOk());
      } else {
        ASSERT_EQ(kill(owner_pid, ending), 0);
      }
      ASSERT_THAT(owner.Join(kGenerous), IsOk());
      EXPECT_EQ(owner.exit_code(), -ending);
      for (int pidfd : pidfds) {
        pollfd ended = {.fd = pidfd, .events = POLLIN, .revents = 0};
        const absl::Duration bound = internal::BoundOnWaits(kGenerous);
        EXPECT_EQ(poll(&ended, 1, static_cast<int>(absl::ToInt64Milliseconds(bound))), 1)
            << "a worker outlived its pool's process";
        close(pidfd);
      }
      EXPECT_EQ(ProcessesHoldingSegmentsOf(owner_pid), std::vector<pid_t>{});
      if (HasFailure()) return;  // the first way that fails says enough
    }
  }
}

// Lesson 9's claim 6, counterfactual: workers that do not ask for SIGKILL on their
// parent's death outlive a pool whose process is killed.
TEST_F(PoolFailureTest, WorkersWithoutPdeathsigFailLesson9Claim6) {
  EXPECT_THAT(test::FailsWithBugPutBack("PoolFailureTest.NothingOfAPoolOutlivesItsProcessHoweverItEnds",
                                        "children_without_pdeathsig"),
              IsOk());
}

// Passes when callbacks report a MapAsync's results and an ApplyAsync's error.
TEST_F(PoolFailureTest, CallbacksReportSuccessAndError) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2});
  ASSERT_THAT(pool, IsOk());
  std::atomic<int> sum = 0;
  std::atomic<int> errors = 0;
  absl::StatusOr<MapResult<int>> mapped = pool->MapAsync(
      Double, std::vector<int>{1, 2, 3}, {},
      {.on_success = [&](const std::vector<int>& values) {
        for (int value : values) sum += value;
      }});
  absl::StatusOr<AsyncResult<int>> refused = pool->ApplyAsyncWithCallbacks(
      {.on_error = [&](const absl::Status&) { ++errors; }}, Picky, 3);
  ASSERT_THAT(mapped, IsOk());
  ASSERT_THAT(refused, IsOk());
  ASSERT_THAT(mapped->Wait(kGenerous), IsOk());
  ASSERT_THAT(refused->Wait(kGenerous), IsOk());
  pool->Close();
  ASSERT_THAT(pool->Join(kGenerous), IsOk());  // callbacks have run by now
  EXPECT_EQ(sum.load(), 12);
  EXPECT_EQ(errors.load(), 1);
}

// Passes when chunks that fill a worker's inbox wait for room and arrive in order, and a
// chunk too large for any inbox is that task's error. Each inbox holds two of these
// arguments, so the pool sends fewer chunks than it would like to at once.
TEST_F(PoolFailureTest, ArgumentsThatFillAnInboxWaitTheirTurnAndTooLargeOnesFail) {
  constexpr size_t kQueueBytes = 64 << 10;
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .queue_bytes = kQueueBytes});
  ASSERT_THAT(pool, IsOk());
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back(std::string((20 << 10) + i, 't'));
  texts[17] = std::string(kQueueBytes, 'x');  // can never fit
  absl::StatusOr<MapResult<int64_t>> lengths = pool->MapAsync(Length, texts, {.chunksize = 1});
  ASSERT_THAT(lengths, IsOk());
  absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> each = lengths->GetEach(kGenerous);
  ASSERT_THAT(each, IsOk());
  ASSERT_EQ(each->size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i == 17) {
      EXPECT_THAT((*each)[i], StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("queue_bytes")));
    } else {
      EXPECT_THAT((*each)[i], IsOkAndHolds(static_cast<int64_t>(texts[i].size()))) << "task " << i;
    }
  }
}

// Passes when results far larger than a pipe's buffer come back whole, and one too large
// for the pool's queue is that task's error.
TEST_F(PoolFailureTest, LargeResultsArriveOrFailClearly) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .queue_bytes = 4 << 20});
  ASSERT_THAT(pool, IsOk());
  absl::StatusOr<std::vector<std::string>> large =
      pool->Map(Bytes, std::vector<int64_t>{1 << 20, 1 << 20, 1}, {.chunksize = 1});
  ASSERT_THAT(large, IsOk());
  EXPECT_EQ((*large)[0].size(), 1 << 20);
  EXPECT_THAT(pool->Apply(Bytes, int64_t{8} << 20),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("queue_bytes")));
}

// Passes when a worker killed halfway through copying a large result into the shared
// results queue fails its own task only: the half-copied result is never filed, and the
// other workers' large and small results keep arriving through the same queue.
TEST_F(PoolFailureTest, AWorkerKilledMidCopyOfALargeResultFailsThatTaskOnly) {
  absl::StatusOr<Pool> pool = Pool::Create({.workers = 2, .queue_bytes = 8 << 20});
  ASSERT_THAT(pool, IsOk());
  EXPECT_THAT(pool->Apply(BytesDyingMidCopy, int64_t{1} << 20),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("killed by SIGKILL")));
  // (Bounded: with a write slot that is not robust, these wait for the dead worker.)
  absl::StatusOr<MapResult<std::string>> after =
      pool->MapAsync(Bytes, std::vector<int64_t>{1 << 20, 1, 1 << 20, 2}, {.chunksize = 1});
  ASSERT_THAT(after, IsOk());
  absl::StatusOr<std::vector<std::string>> results = after->Get(internal::BoundOnWaits(kGenerous));
  ASSERT_THAT(results, IsOk());
  ASSERT_EQ(results->size(), 4);
  EXPECT_TRUE((*results)[0] == std::string(1 << 20, 'b'));
  EXPECT_EQ((*results)[1], "b");
  EXPECT_TRUE((*results)[2] == std::string(1 << 20, 'b'));
  EXPECT_EQ((*results)[3], "bb");
}

TEST_F(PoolFailureTest, AResultsQueueWithoutRobustSlotsFailsAWorkerKilledMidCopy) {
  EXPECT_THAT(test::FailsWithBugPutBack("PoolFailureTest.AWorkerKilledMidCopyOfALargeResultFailsThatTaskOnly",
                                        "lock_not_robust"),
              IsOk());
}

}  // namespace
}  // namespace mp
