#include "process/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "base/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "process/exit_code.h"
#include "process/task_registry.h"
#include "process/testing/leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;

// ---- Tasks: plain functions, registered so that spawn and forkserver can run them.

int ExitWith(int code) { return code; }
MP_REGISTER_TASK(ExitWith);

void DieBySignal(int signal_number) {
  // Sanitizers catch SIGSEGV to print a report; we want the plain signal death.
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}
MP_REGISTER_TASK(DieBySignal);

void Abort() { std::abort(); }
MP_REGISTER_TASK(Abort);

// Blocks until someone opens the FIFO at `path` for writing and closes it.
int WaitForFifo(std::string path) {
  std::ifstream fifo(path);
  std::string ignored;
  std::getline(fifo, ignored);
  return fifo.eof() || fifo.good() ? 0 : 3;
}
MP_REGISTER_TASK(WaitForFifo);

void PauseForever() {
  while (true) ::pause();
}
MP_REGISTER_TASK(PauseForever);

// Whether `pid` ignores SIGINT now, from the SigIgn mask in /proc/<pid>/status.
bool IgnoresSigint(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("SigIgn:", 0) != 0) continue;
    const uint64_t ignored = std::stoull(line.substr(7), nullptr, 16);
    return (ignored & (uint64_t{1} << (SIGINT - 1))) != 0;
  }
  return false;
}

// Whatever this test process was started with (a runner may ignore SIGINT, and a forked
// child inherits that), SIGINT's default action: end the process.
void PauseWithDefaultSigint() {
  signal(SIGINT, SIG_DFL);
  while (true) pause();
}
MP_REGISTER_TASK(PauseWithDefaultSigint);

// Exit code 0 if this child knows its name and its parent.
int CheckIdentity(std::string expected_name, int expected_parent_pid) {
  const std::optional<ProcessInfo> parent = ParentProcess();
  const bool ok = CurrentProcess().name == expected_name &&
                  CurrentProcess().pid == ::getpid() && parent.has_value() &&
                  parent->pid == expected_parent_pid && parent->name == "MainProcess" &&
                  ParentIsAlive();
  return ok ? 0 : 1;
}
MP_REGISTER_TASK(CheckIdentity);

// The number of descriptors open above stderr.
int CountInheritedFds() {
  int count = 0;
  for (int fd : test::OpenFds()) count += fd > 2 ? 1 : 0;
  return count;
}
MP_REGISTER_TASK(CountInheritedFds);

constexpr int kThreads = 8;
std::array<std::mutex, kThreads> thread_locks;

// Takes every lock that the parent's threads hold at the time of the start.
int TakeEveryThreadLock() {
  for (std::mutex& lock : thread_locks) {
    lock.lock();
    lock.unlock();
  }
  return 0;
}
MP_REGISTER_TASK(TakeEveryThreadLock);

void NotRegistered() {}

// ---- Tests that hold for every start method.

class StartMethodTest : public test::LeakCheckedTest,
                        public ::testing::WithParamInterface<StartMethod> {
 protected:
  ProcessOptions Options() const { return {.start_method = GetParam()}; }
};

INSTANTIATE_TEST_SUITE_P(AllStartMethods, StartMethodTest,
                         ::testing::Values(StartMethod::kFork, StartMethod::kSpawn,
                                           StartMethod::kForkServer),
                         [](const ::testing::TestParamInfo<StartMethod>& info) {
                           return std::string(StartMethodName(info.param));
                         });

// Passes when every start method's name parses back to it, and nothing else parses.
TEST(StartMethodNameTest, NamesParseBackToTheirMethods) {
  for (StartMethod method : {StartMethod::kFork, StartMethod::kSpawn, StartMethod::kForkServer}) {
    EXPECT_EQ(ParseStartMethod(StartMethodName(method)), method);
  }
  EXPECT_EQ(ParseStartMethod("Fork"), std::nullopt);
  EXPECT_EQ(ParseStartMethod(""), std::nullopt);
}

TEST_P(StartMethodTest, ExitCodeIsWhatTheTargetReturned) {
  for (int code : {0, 1, 255}) {
    Process process(Options(), ExitWith, code);
    ASSERT_THAT(process.Start(), IsOk());
    ASSERT_THAT(process.Join(), IsOk());
    EXPECT_EQ(process.exit_code(), code);
    EXPECT_FALSE(process.IsAlive());
  }
}

TEST_P(StartMethodTest, DeathBySignalIsMinusTheSignalNumber) {
  for (int signal_number : {SIGKILL, SIGTERM, SIGSEGV}) {
    Process process(Options(), DieBySignal, signal_number);
    ASSERT_THAT(process.Start(), IsOk());
    ASSERT_THAT(process.Join(), IsOk());
    EXPECT_EQ(process.exit_code(), -signal_number) << strsignal(signal_number);
  }
  Process aborting(Options(), Abort);
  ASSERT_THAT(aborting.Start(), IsOk());
  ASSERT_THAT(aborting.Join(), IsOk());
  EXPECT_EQ(aborting.exit_code(), -SIGABRT);
}

TEST_P(StartMethodTest, JoinWithTimeoutReturnsWhileTheChildRunsAndALaterJoinCollectsIt) {
  const std::string fifo = absl::StrCat(std::getenv("TEST_TMPDIR"), "/go.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Process process(Options(), WaitForFifo, fifo);
  ASSERT_THAT(process.Start(), IsOk());

  EXPECT_THAT(process.Join(absl::Milliseconds(20)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_TRUE(process.IsAlive());
  EXPECT_EQ(process.exit_code(), std::nullopt);

  { std::ofstream(fifo) << "go\n"; }  // opening waits for the child to open it too
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), 0);
  ::unlink(fifo.c_str());
}

TEST_P(StartMethodTest, TerminateAndKillEndARunningChild) {
  Process terminated(Options(), PauseForever);
  Process killed(Options(), PauseForever);
  ASSERT_THAT(terminated.Start(), IsOk());
  ASSERT_THAT(killed.Start(), IsOk());
  ASSERT_THAT(terminated.Terminate(), IsOk());
  ASSERT_THAT(killed.Kill(), IsOk());
  ASSERT_THAT(terminated.Join(), IsOk());
  ASSERT_THAT(killed.Join(), IsOk());
  EXPECT_EQ(terminated.exit_code(), -SIGTERM);
  EXPECT_EQ(killed.exit_code(), -SIGKILL);
  EXPECT_THAT(killed.Kill(), IsOk()) << "signalling a collected child is a no-op";
}

// Passes when Interrupt() sends SIGINT, as Ctrl-C would: a child with SIGINT's default
// action ends by it.
TEST_P(StartMethodTest, InterruptSendsSigint) {
  Process interrupted(Options(), PauseWithDefaultSigint);
  ASSERT_THAT(interrupted.Start(), IsOk());
  // If this process ignores SIGINT, the child does too until it resets it: wait for
  // that (the "SigIgn" mask in /proc), a condition with a deadline.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (IgnoresSigint(*interrupted.pid()) && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_THAT(interrupted.Interrupt(), IsOk());
  ASSERT_THAT(interrupted.Join(), IsOk());
  EXPECT_EQ(interrupted.exit_code(), -SIGINT);
}

TEST_P(StartMethodTest, ChildKnowsItsNameAndItsParent) {
  Process process({.name = "worker-7", .start_method = GetParam()}, CheckIdentity,
                  std::string("worker-7"), static_cast<int>(::getpid()));
  ASSERT_THAT(process.Start(), IsOk());
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), 0);
  EXPECT_EQ(process.name(), "worker-7");
}

TEST_P(StartMethodTest, DestroyingARunningProcessKillsAndReapsTheChild) {
  pid_t pid = 0;
  {
    Process process(Options(), PauseForever);
    ASSERT_THAT(process.Start(), IsOk());
    pid = *process.pid();
  }
  // TearDown checks that no child, running or zombie, is left; this checks the pid.
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST_P(StartMethodTest, StartingTwiceIsAnError) {
  Process process(Options(), ExitWith, 0);
  ASSERT_THAT(process.Start(), IsOk());
  EXPECT_THAT(process.Start(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("twice")));
  EXPECT_THAT(process.Join(), IsOk());
}

// ---- Start methods that start a new program image.

class NewImageTest : public test::LeakCheckedTest,
                     public ::testing::WithParamInterface<StartMethod> {};

INSTANTIATE_TEST_SUITE_P(SpawnAndForkServer, NewImageTest,
                         ::testing::Values(StartMethod::kSpawn, StartMethod::kForkServer),
                         [](const ::testing::TestParamInfo<StartMethod>& info) {
                           return std::string(StartMethodName(info.param));
                         });

TEST_P(NewImageTest, ChildInheritsNoDescriptorButStdio) {
  // A descriptor without close-on-exec, as careless user code might open.
  internal::UniqueFd careless(::open("/dev/null", O_RDONLY));
  ASSERT_TRUE(careless.valid());
  Process process({.start_method = GetParam()}, CountInheritedFds);
  ASSERT_THAT(process.Start(), IsOk());
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), 0);
}

TEST_P(NewImageTest, WorksFromAParentWhoseEightThreadsEachHoldALock) {
  absl::Notification release;
  std::vector<std::thread> threads;
  std::array<absl::Notification, kThreads> holding;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([i, &release, &holding] {
      std::lock_guard<std::mutex> hold(thread_locks[i]);
      holding[i].Notify();
      release.WaitForNotification();
    });
  }
  for (absl::Notification& held : holding) held.WaitForNotification();

  Process process({.start_method = GetParam()}, TakeEveryThreadLock);
  ASSERT_THAT(process.Start(), IsOk());
  EXPECT_THAT(process.Join(absl::Seconds(60)), IsOk());
  EXPECT_EQ(process.exit_code(), 0);

  release.Notify();
  for (std::thread& thread : threads) thread.join();
}

TEST_P(NewImageTest, LambdaTargetIsRefusedWithAMessageThatSaysWhy) {
  Process process({.start_method = GetParam()}, [] { return 0; });
  EXPECT_THAT(process.Start(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                        HasSubstr("lambda")));
  EXPECT_EQ(process.pid(), std::nullopt);
}

TEST_P(NewImageTest, UnregisteredFunctionIsRefusedWithAMessageThatSaysWhatToAdd) {
  Process process({.start_method = GetParam()}, NotRegistered);
  EXPECT_THAT(process.Start(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                        HasSubstr("MP_REGISTER_TASK")));
}

// ---- fork only.

class ForkTest : public test::LeakCheckedTest {};

TEST_F(ForkTest, ForkedChildDeadlocksOnALockAnotherThreadHeld) {
  // The hazard that spawn and forkserver avoid (see the test above): fork() copies
  // a locked mutex but not the thread that would unlock it.
  absl::Notification holding;
  absl::Notification release;
  std::thread holder([&] {
    std::lock_guard<std::mutex> hold(thread_locks[0]);
    holding.Notify();
    release.WaitForNotification();
  });
  holding.WaitForNotification();

  Process process({.start_method = StartMethod::kFork}, TakeEveryThreadLock);
  ASSERT_THAT(process.Start(), IsOk());
  // The child can never take the lock, so this deadline passes whatever the timing.
  EXPECT_THAT(process.Join(absl::Milliseconds(200)),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  ASSERT_THAT(process.Kill(), IsOk());
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), -SIGKILL);

  release.Notify();
  holder.join();
}

TEST_F(ForkTest, AnyCallableRunsWithCopiesOfItsArguments) {
  std::string message = "copied";
  Process process([](const std::string& text, int n) { return text == "copied" && n == 3 ? 0 : 1; },
                  message, 3);
  message = "changed after construction";
  ASSERT_THAT(process.Start(), IsOk());
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), 0);
}

// Passes when a started Process has let go of its target and what it captured, before
// the child ends (it kept them until the Process was destroyed).
TEST_F(ForkTest, AStartedProcessLetsGoOfItsTarget) {
  auto captured = std::make_shared<int>(42);
  std::weak_ptr<int> watch = captured;
  Process process([captured = std::move(captured)] { return *captured == 42 ? 0 : 1; });
  ASSERT_THAT(process.Start(), IsOk());
  EXPECT_TRUE(watch.expired()) << "the parent still holds what the target captured";
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), 0);
}

TEST_F(ForkTest, UncaughtExceptionExitsWithOne) {
  Process process([] { throw std::runtime_error("boom"); });
  ASSERT_THAT(process.Start(), IsOk());
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), 1);
}

TEST_F(ForkTest, DefaultNamesCountUp) {
  Process first(ExitWith, 0);
  Process second(ExitWith, 0);
  EXPECT_THAT(first.name(), ::testing::StartsWith("Process-"));
  EXPECT_NE(first.name(), second.name());
}

// ---- Misuse and the process-wide utilities.

class ProcessTest : public test::LeakCheckedTest {};

TEST_F(ProcessTest, UsingAProcessBeforeStartIsAnErrorNotUndefinedBehaviour) {
  Process process(ExitWith, 0);
  EXPECT_THAT(process.Join(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("never started")));
  EXPECT_THAT(process.Join(absl::Seconds(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(process.Terminate(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(process.Kill(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(process.Interrupt(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_FALSE(process.IsAlive());
  EXPECT_EQ(process.pid(), std::nullopt);
  EXPECT_EQ(process.exit_code(), std::nullopt);
}

TEST_F(ProcessTest, NegativeJoinTimeoutIsInvalid) {
  Process process(ExitWith, 0);
  ASSERT_THAT(process.Start(), IsOk());
  EXPECT_THAT(process.Join(absl::Seconds(-1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative")));
  EXPECT_THAT(process.Join(), IsOk());
}

TEST_F(ProcessTest, ForkServerStartedAheadServesLaterStartsAndStopsOnRequest) {
  ASSERT_THAT(StartForkServer(), IsOk());
  ASSERT_THAT(StartForkServer(), IsOk()) << "starting it again is a no-op";
  const std::vector<pid_t> server = test::ChildrenOf(::getpid());
  ASSERT_EQ(server.size(), 1u);

  Process process({.start_method = StartMethod::kForkServer}, ExitWith, 5);
  ASSERT_THAT(process.Start(), IsOk());
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), 5);
  EXPECT_EQ(test::ChildrenOf(::getpid()), server) << "the child is the server's, not ours";

  ASSERT_THAT(ShutdownForkServer(), IsOk());
  EXPECT_TRUE(test::ChildrenOf(::getpid()).empty());
}

// Kills the fork server (this process's only child) and waits until it has died.
void KillForkServer() {
  const std::vector<pid_t> server = test::ChildrenOf(::getpid());
  ASSERT_EQ(server.size(), 1u) << "expected the fork server as the only child";
  internal::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, server[0], 0)));
  ASSERT_TRUE(pidfd.valid());
  ASSERT_EQ(::kill(server[0], SIGKILL), 0);
  absl::StatusOr<bool> died = internal::WaitReadable(pidfd.get(), absl::InfiniteFuture());
  ASSERT_TRUE(died.ok() && *died);
}

// Passes when the first start after the fork server died succeeds, on a new server, as
// in Python (it failed with Unavailable; only the one after worked).
TEST_F(ProcessTest, AStartAfterTheForkServerDiedStartsANewServer) {
  ASSERT_THAT(StartForkServer(), IsOk());
  KillForkServer();
  Process process({.start_method = StartMethod::kForkServer}, ExitWith, 7);
  ASSERT_THAT(process.Start(), IsOk());
  ASSERT_THAT(process.Join(), IsOk());
  EXPECT_EQ(process.exit_code(), 7);
  ASSERT_THAT(ShutdownForkServer(), IsOk());
}

// Passes when a child whose fork server died before it ended still joins with an exit
// code: kExitCodeUnknownToForkServer, once it has really ended (a daemon dies with the
// server; the other is terminated by us). Join() failed with Unavailable.
TEST_F(ProcessTest, AChildWhoseForkServerDiedStillJoinsWithAnExitCode) {
  Process daemon({.daemon = true, .start_method = StartMethod::kForkServer}, PauseForever);
  Process other({.start_method = StartMethod::kForkServer}, PauseForever);
  ASSERT_THAT(daemon.Start(), IsOk());
  ASSERT_THAT(other.Start(), IsOk());
  KillForkServer();
  EXPECT_THAT(daemon.Join(), IsOk());
  EXPECT_EQ(daemon.exit_code(), kExitCodeUnknownToForkServer);
  EXPECT_THAT(other.Join(absl::ZeroDuration()), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(other.exit_code(), std::nullopt) << "it still runs: no exit code yet";
  ASSERT_THAT(other.Terminate(), IsOk());
  EXPECT_THAT(other.Join(), IsOk());
  EXPECT_EQ(other.exit_code(), kExitCodeUnknownToForkServer);
  ASSERT_THAT(ShutdownForkServer(), IsOk());
}

// Passes when a child sees its parent alive while it runs and dead once it has exited,
// though the child runs on (an orphan). The orphan learns that its parent has ended from
// the kernel (PR_SET_PDEATHSIG, sent once it has been handed to a new parent) and
// reports both answers through a pipe.
TEST_F(ForkTest, AChildSeesWhetherItsParentIsAlive) {
  int report[2], checked[2];
  ASSERT_EQ(pipe(report), 0);
  ASSERT_EQ(pipe(checked), 0);
  Process parent([&] {
    Process orphan([&] {
      sigset_t parent_died;
      sigemptyset(&parent_died);
      sigaddset(&parent_died, SIGUSR1);
      sigprocmask(SIG_BLOCK, &parent_died, nullptr);
      prctl(PR_SET_PDEATHSIG, SIGUSR1);
      const char while_alive = ParentIsAlive() ? '1' : '0';
      char byte = 'x';
      if (write(checked[1], &byte, 1) != 1) _exit(1);
      int signal_number = 0;
      sigwait(&parent_died, &signal_number);
      const char after_exit = ParentIsAlive() ? '1' : '0';
      const char both[2] = {while_alive, after_exit};
      _exit(write(report[1], both, 2) == 2 ? 0 : 1);
    });
    if (!orphan.Start().ok()) _exit(1);
    char byte;
    _exit(read(checked[0], &byte, 1) == 1 ? 0 : 1);  // without destructors: the orphan runs on
  });
  ASSERT_THAT(parent.Start(), IsOk());
  ASSERT_THAT(parent.Join(), IsOk());
  EXPECT_EQ(parent.exit_code(), 0);
  close(report[1]);
  close(checked[0]);
  close(checked[1]);
  char both[2] = {};
  ASSERT_EQ(read(report[0], both, 2), 2);
  close(report[0]);
  EXPECT_EQ(std::string(both, 2), "10") << "alive while it ran, then not";
  EXPECT_FALSE(ParentIsAlive()) << "no Process started the test itself";
}

// Passes when Close() refuses while the child runs, then lets go of its descriptor, and
// every later call but Close() is refused (Python's close() and its ValueErrors).
TEST_F(ProcessTest, CloseReleasesTheChildsDescriptorAndRefusesFurtherUse) {
  Process child([] { return pause(); });
  ASSERT_THAT(child.Start(), IsOk());
  absl::StatusOr<int> sentinel = child.sentinel();
  ASSERT_THAT(sentinel, IsOk());
  EXPECT_THAT(child.Close(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("still runs")));
  ASSERT_THAT(child.Kill(), IsOk());
  ASSERT_THAT(child.Join(), IsOk());
  ASSERT_GE(fcntl(*sentinel, F_GETFD), 0) << "open until Close()";
  ASSERT_THAT(child.Close(), IsOk());
  EXPECT_EQ(fcntl(*sentinel, F_GETFD), -1) << "Close() let go of the descriptor";
  EXPECT_THAT(child.Join(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
  EXPECT_THAT(child.Start(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
  EXPECT_THAT(child.sentinel(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(child.Kill(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(child.pid(), std::nullopt);
  EXPECT_EQ(child.exit_code(), std::nullopt);
  EXPECT_FALSE(child.IsAlive());
  EXPECT_THAT(child.Close(), IsOk()) << "closing twice is harmless";

  Process never_started([] { return 0; });
  ASSERT_THAT(never_started.Close(), IsOk());
  EXPECT_THAT(never_started.Start(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(ProcessTest, MainProcessHasNoParent) {
  EXPECT_EQ(CurrentProcess().name, "MainProcess");
  EXPECT_EQ(CurrentProcess().pid, ::getpid());
  EXPECT_EQ(ParentProcess(), std::nullopt);
}

TEST_F(ProcessTest, ActiveChildrenListsRunningChildrenAndCollectsFinishedOnes) {
  Process finished(ExitWith, 0);
  Process running({.name = "runner"}, PauseForever);
  ASSERT_THAT(finished.Start(), IsOk());
  ASSERT_THAT(running.Start(), IsOk());
  // Wait until `finished` is a zombie, without reaping it (WNOWAIT).
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, *finished.pid(), &info, WEXITED | WNOWAIT), 0);

  const std::vector<ProcessInfo> active = ActiveChildren();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].name, "runner");
  EXPECT_EQ(active[0].pid, *running.pid());
  // ActiveChildren() reaped the finished child, and its Process knows the outcome.
  EXPECT_EQ(::waitpid(*finished.pid(), nullptr, WNOHANG), -1);
  EXPECT_EQ(finished.exit_code(), 0);

  ASSERT_THAT(running.Kill(), IsOk());
  ASSERT_THAT(running.Join(), IsOk());
  EXPECT_TRUE(ActiveChildren().empty());
}

TEST_F(ProcessTest, MovedProcessKeepsItsChild) {
  Process original({.name = "moved"}, ExitWith, 4);
  ASSERT_THAT(original.Start(), IsOk());
  std::vector<Process> processes;
  processes.push_back(std::move(original));
  ASSERT_THAT(processes[0].Join(), IsOk());
  EXPECT_EQ(processes[0].exit_code(), 4);
  EXPECT_EQ(processes[0].name(), "moved");
}

}  // namespace
}  // namespace mp
