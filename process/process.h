// mp::Process: run a function in a child process, the way Python's
// multiprocessing.Process does.
//
//   void Greet(std::string who) { std::printf("hello, %s\n", who.c_str()); }
//
//   mp::Process greeter(Greet, std::string("world"));   // fork: any callable
//   absl::Status started = greeter.Start();
//   absl::Status joined = greeter.Join();               // waits for it
//   // greeter.exit_code() == 0
//
// The target returns void (exit code 0) or an int exit code. An exception that
// escapes it is printed to stderr and exits with 1. A signal that ends the child
// shows as minus its number: -9 after Kill(), -15 after Terminate(), -6 for abort().
//
// Start methods (README.md in this folder compares them in full):
//   kFork        the child is a copy of this process and calls the target directly.
//                Fastest; any callable; unsafe if other threads hold locks.
//   kSpawn       the child is a fresh run of this program (posix_spawn) that runs a
//                task registered with MP_REGISTER_TASK, its arguments sent as bytes.
//   kForkServer  a single-threaded server, itself spawned, forks the child on
//                request: safe from a multi-threaded parent, cheaper than spawn.
// kSpawn and kForkServer need main() to call mp::HandOffToLibrary() first
// (hand_off.h); without it, Start() returns FailedPrecondition saying so.
//
// Daemon children (ProcessOptions::daemon) are killed when their parent ends, even
// by SIGKILL: the kernel delivers SIGKILL to them (PR_SET_PDEATHSIG). Linux ties this
// to the *thread* that started the child, so start daemons from a thread that lives
// as long as the process (the main thread, say).
//
// Destroying a Process whose child still runs kills the child (SIGKILL) and reaps
// it: a Process never leaves a zombie or an orphan behind. Join() first to let the
// child finish. A Process never started, or already joined, is destroyed at no cost.
//
// Thread safety: use a Process from one thread at a time, except that Terminate(),
// Kill(), IsAlive() and exit_code() may be called while another thread is in Join().

#ifndef MP_PROCESS_PROCESS_H_
#define MP_PROCESS_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "process/internal/child_side.h"
#include "process/task_registry.h"

namespace mp {

enum class StartMethod { kFork, kSpawn, kForkServer };

// "fork", "spawn" or "forkserver", as Python names them.
absl::string_view StartMethodName(StartMethod method);
// The start method with that name (e.g. from a --start_method flag); nullopt for others.
std::optional<StartMethod> ParseStartMethod(absl::string_view name);

struct ProcessOptions {
  // Empty: "Process-N", N counting the processes this process has created.
  std::string name = {};
  // Killed when this process ends. See the header comment.
  bool daemon = false;
  StartMethod start_method = StartMethod::kFork;
};

// What CurrentProcess(), ParentProcess() and ActiveChildren() report.
struct ProcessInfo {
  pid_t pid = 0;
  std::string name = {};
  bool daemon = false;
};

namespace internal {
struct StartedProcess;
}  // namespace internal

class Process {
 public:
  // Prepares a child that will call target(args...). The arguments are copied now
  // (like std::thread's). Nothing runs until Start().
  template <typename F, typename... Args>
    requires(!std::is_same_v<std::decay_t<F>, ProcessOptions>)
  explicit Process(F&& target, Args&&... args)
      : Process(ProcessOptions{}, std::forward<F>(target), std::forward<Args>(args)...) {}

  template <typename F, typename... Args>
  Process(ProcessOptions options, F&& target, Args&&... args);

  Process(Process&&) noexcept;
  // Assigning over a running Process kills and reaps its child, as destruction does.
  Process& operator=(Process&&) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  // Starts the child. FailedPrecondition if already started, or if the start method
  // cannot run this target (spawn and forkserver need a registered function and
  // HandOffToLibrary() in main); the error says which and what to change.
  absl::Status Start();

  // Waits for the child to end. FailedPrecondition if it was never started.
  absl::Status Join();
  // Waits at most `timeout`. DeadlineExceeded if the child still runs then (it keeps
  // running; a later Join() collects it). InvalidArgument if `timeout` is negative.
  absl::Status Join(absl::Duration timeout);

  // True from Start() until the child ends. Collects a child that has ended.
  bool IsAlive();

  // nullopt until Start().
  std::optional<pid_t> pid() const;

  // A descriptor that becomes readable when the child has ended, and stays readable
  // (Python's Process.sentinel): wait on it with mp::Wait() (wait.h), poll or epoll,
  // beside pipes and sockets. Owned by this Process, valid until it is destroyed: do not
  // close it. FailedPrecondition before Start(); Unimplemented on a kernel without
  // pidfds (before Linux 5.3).
  absl::StatusOr<int> sentinel() const;

  // The exit code once the child has ended (minus the signal number if a signal ended
  // it); nullopt while it runs or before Start(). Collects a child that has ended.
  std::optional<int> exit_code();

  // Send SIGTERM / SIGKILL. FailedPrecondition before Start(); no-ops once the
  // child has been collected.
  absl::Status Terminate();
  absl::Status Kill();
  // Sends SIGINT, as Ctrl-C would (Python 3.14's Process.interrupt()): a child that
  // handles it can stop what it is doing and finish in order. Same rules as Terminate().
  absl::Status Interrupt();

  // Python's close(): lets go of what this Process holds for its child (the descriptor
  // behind sentinel(), its place among ActiveChildren()), now rather than at destruction.
  // FailedPrecondition while the child still runs: Join() it first. Afterwards every call
  // but name(), daemon(), start_method() and Close() itself fails with FailedPrecondition
  // (Python raises ValueError), pid() and exit_code() are nullopt, IsAlive() is false.
  absl::Status Close();

  const std::string& name() const { return options_.name; }
  bool daemon() const { return options_.daemon; }
  StartMethod start_method() const { return options_.start_method; }

 private:
  void AssignDefaultName();
  absl::Status StartByFork();
  absl::Status StartBySpawn();
  absl::Status StartByForkServer();
  absl::Status CheckStarted(absl::string_view operation) const;
  // Writes the "process_exit" line to the record (process/life_record.h), the first time
  // this Process sees its child's end.
  void RecordEndOnce(int exit_code);

  ProcessOptions options_;
  // The target bound to its arguments: what a forked child runs.
  std::function<int()> bound_target_;
  // Where the target is a plain function: its address and its arguments encoded as
  // its parameter types, which is what spawn and forkserver children need.
  const void* function_ = nullptr;
  std::optional<std::string> encoded_args_;
  // Made before fork() so that the child only has to point at it.
  std::unique_ptr<internal::Identity> child_identity_;
  // Set by Start(); shared with the list ActiveChildren() reads.
  std::shared_ptr<internal::StartedProcess> started_;
  bool closed_ = false;  // Close() returned OK
  bool end_recorded_ = false;
};

// This process: its pid, its name ("MainProcess" unless a Process started it) and
// whether it is a daemon.
ProcessInfo CurrentProcess();

// The process that started this one with mp::Process; nullopt in a process that no
// Process started. (Only pid and name are known; daemon is false.)
std::optional<ProcessInfo> ParentProcess();

// Whether the process that started this one (ParentProcess()) still runs (Python's
// parent_process().is_alive()); false in a process that no Process started. Exact even
// where the kernel's parent is another process (a forkserver child's is the fork server)
// and where the parent's pid has been reused: a process that started after this one
// cannot be its parent.
bool ParentIsAlive();

// The children started by this process's Process objects that still run. Collects
// those that have ended, as Python's active_children() does.
std::vector<ProcessInfo> ActiveChildren();

// Starts the fork server now rather than at the first kForkServer Start(), so that
// no Start() pays for it (a few milliseconds: it is a fresh run of this program, so
// starting it late is as safe as starting it early). OK if it already runs.
absl::Status StartForkServer();

// Stops the fork server, if one runs. The next kForkServer start starts a new one.
// Its children keep running, but their exit codes are lost: join them first (a child
// whose server is gone joins with kExitCodeUnknownToForkServer, from exit_code.h, once
// it has ended; so does one whose server died).
absl::Status ShutdownForkServer();

// ---- Implementation details ----

template <typename F, typename... Args>
Process::Process(ProcessOptions options, F&& target, Args&&... args)
    : options_(std::move(options)) {
  using Target = std::decay_t<F>;
  static_assert(std::is_invocable_v<Target&, std::decay_t<Args>&...>,
                "mp::Process: the target cannot be called with these arguments");
  using Traits = internal::FunctionTraits<Target>;
  if constexpr (Traits::kIsFunctionPointer) {
    function_ = reinterpret_cast<const void*>(static_cast<Target>(target));
    encoded_args_ = Traits::EncodeArgs(args...);
  }
  bound_target_ = [target = Target(std::forward<F>(target)),
                   ... args = std::decay_t<Args>(std::forward<Args>(args))]() mutable {
    return internal::CallForExitCode(target, args...);
  };
  AssignDefaultName();
}

}  // namespace mp

#endif  // MP_PROCESS_PROCESS_H_
