// Lesson 7: how does a child process begin: fork, spawn or forkserver?
//
//   bazel run -c opt //concepts/07_start_methods:demo
//   bazel run -c opt //concepts/07_start_methods:demo -- --start_method=spawn --starts=100
//
// Before starting any child, the parent (1) starts the fork server, (2) then sets a global
// to 42, (3) opens a pipe whose descriptors children may inherit, and (4) has a second
// thread take a lock and keep it. Then, for each start method, a child reports what it
// sees of those four things, and the parent times `--starts` start+join cycles.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "process/hand_off.h"
#include "process/process.h"

ABSL_FLAG(std::string, start_method, "all", "fork, spawn, forkserver, or all");
ABSL_FLAG(int, starts, 20, "start+join cycles timed per method (1 to 10000)");

namespace {

int setting = 0;            // the parent sets it to 42 at run time
std::mutex held_by_thread;  // a second thread of the parent holds it

// What a child sees, as bits of its exit code.
enum Seen { kSettingIs42 = 1, kDescriptorOpen = 2, kLockFree = 4 };

int Inspect(int inherited_fd) {
  int seen = 0;
  if (setting == 42) seen |= kSettingIs42;
  if (fcntl(inherited_fd, F_GETFD) != -1) seen |= kDescriptorOpen;
  // try_lock, not lock: in a forked child the lock can never be released (its holder,
  // the other thread, was not copied), and lock() would wait forever.
  if (held_by_thread.try_lock()) {
    seen |= kLockFree;
    held_by_thread.unlock();
  }
  return seen;
}
MP_REGISTER_TASK(Inspect);

int Nothing() { return 0; }
MP_REGISTER_TASK(Nothing);

const char* YesNo(bool yes) { return yes ? "yes" : "no"; }

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "What a child inherits, and what it costs to start, by start method.");
  const std::string which = absl::GetFlag(FLAGS_start_method);
  const int starts = absl::GetFlag(FLAGS_starts);
  if (which != "all" && which != "fork" && which != "spawn" && which != "forkserver") {
    mp::cli::ExitBadUsage("--start_method must be fork, spawn, forkserver or all");
  }
  if (starts < 1 || starts > 10'000) mp::cli::ExitBadUsage("--starts must be 1 to 10000");

  // (1) The fork server is a fresh run of this program, taken now: it has setting == 0.
  if (absl::Status server = mp::StartForkServer(); !server.ok()) {
    std::fprintf(stderr, "cannot start the fork server: %s\n", server.ToString().c_str());
    return 1;
  }
  setting = 42;                                             // (2)
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 1;                        // (3) not close-on-exec
  std::promise<void> release;
  std::promise<void> taken;
  std::thread holder([&] {                                  // (4)
    std::lock_guard<std::mutex> hold(held_by_thread);
    taken.set_value();
    release.get_future().wait();
  });
  taken.get_future().wait();

  std::printf("The parent started the fork server, then set setting = 42, opened a pipe\n"
              "(descriptor %d), and has a second thread holding a lock.\n\n", pipe_fds[0]);
  std::printf("| start method | child sees setting == 42 | descriptor %d open | the lock free | start+join |\n",
              pipe_fds[0]);
  std::printf("|---|---|---|---|--:|\n");
  int failures = 0;
  for (mp::StartMethod method :
       {mp::StartMethod::kFork, mp::StartMethod::kSpawn, mp::StartMethod::kForkServer}) {
    const std::string name(mp::StartMethodName(method));
    if (which != "all" && which != name) continue;
    mp::Process inspector({.start_method = method}, Inspect, pipe_fds[0]);
    if (!inspector.Start().ok() || !inspector.Join().ok() || *inspector.exit_code() < 0) {
      std::fprintf(stderr, "the %s child failed\n", name.c_str());
      ++failures;
      continue;
    }
    const int seen = *inspector.exit_code();
    const absl::Time start = absl::Now();
    for (int i = 0; i < starts; ++i) {
      mp::Process child({.start_method = method}, Nothing);
      if (!child.Start().ok() || !child.Join().ok()) ++failures;
    }
    const double micros = absl::ToDoubleMicroseconds(absl::Now() - start) / starts;
    std::printf("| %s | %s | %s | %s | %.0f µs |\n", name.c_str(), YesNo(seen & kSettingIs42),
                YesNo(seen & kDescriptorOpen), YesNo(seen & kLockFree), micros);
  }
  std::printf("\nfork copies everything, the held lock included (held forever: its holder was\n"
              "not copied). spawn starts the program afresh. forkserver copies a server that\n"
              "started early, single-threaded.\n");

  release.set_value();
  holder.join();
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  return failures == 0 ? 0 : 1;
}
