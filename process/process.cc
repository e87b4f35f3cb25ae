#include "process/process.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/annotated_mutex.h"
#include "base/deadline.h"
#include "base/put_bug_back.h"
#include "base/status_macros.h"
#include "base/unique_fd.h"
#include "process/internal/child_handle.h"
#include "process/internal/child_side.h"
#include "process/internal/fork_server.h"
#include "process/internal/per_process.h"
#include "process/internal/spawn_self.h"
#include "process/internal/task_message.h"
#include "process/life_record.h"
#include "process/task_registry.h"

namespace mp {
namespace internal {

// A started child, shared by its Process and the list behind ActiveChildren().
struct StartedProcess {
  ProcessInfo info;
  pid_t parent_pid = 0;  // the process that started it: the only one that may wait
  std::unique_ptr<ChildHandle> child;
};

namespace {

// The children this process started, for ActiveChildren().
class ChildList {
 public:
  void Add(const std::shared_ptr<StartedProcess>& started) {
    internal::MutexLock lock(mutex_);
    // Drop entries whose Process is gone, now and then, so that a program that
    // starts millions of processes does not keep a list of them all.
    if (started_.size() >= prune_at_size_) {
      std::erase_if(started_, [](const auto& entry) { return entry.expired(); });
      prune_at_size_ = std::max<size_t>(64, 2 * started_.size());
    }
    started_.push_back(started);
  }

  std::vector<ProcessInfo> CollectActive() {
    internal::MutexLock lock(mutex_);
    std::vector<ProcessInfo> active;
    std::vector<std::weak_ptr<StartedProcess>> still_running;
    for (const std::weak_ptr<StartedProcess>& entry : started_) {
      std::shared_ptr<StartedProcess> started = entry.lock();
      if (started == nullptr) continue;  // its Process is gone, and reaped it
      absl::StatusOr<std::optional<int>> ended =
          started->child->WaitUntil(absl::InfinitePast());
      if (ended.ok() && ended->has_value()) continue;
      active.push_back(started->info);
      still_running.push_back(entry);
    }
    started_ = std::move(still_running);
    return active;
  }

 private:
  internal::Mutex mutex_;
  std::vector<std::weak_ptr<StartedProcess>> started_ ABSL_GUARDED_BY(mutex_);
  size_t prune_at_size_ ABSL_GUARDED_BY(mutex_) = 64;
};

std::atomic<int> processes_created{0};

}  // namespace
}  // namespace internal

absl::string_view StartMethodName(StartMethod method) {
  switch (method) {
    case StartMethod::kFork:
      return "fork";
    case StartMethod::kSpawn:
      return "spawn";
    case StartMethod::kForkServer:
      return "forkserver";
  }
  return "unknown";
}

std::optional<StartMethod> ParseStartMethod(absl::string_view name) {
  for (StartMethod method : {StartMethod::kFork, StartMethod::kSpawn, StartMethod::kForkServer}) {
    if (StartMethodName(method) == name) return method;
  }
  return std::nullopt;
}

Process::Process(Process&&) noexcept = default;
Process& Process::operator=(Process&&) noexcept = default;
Process::~Process() = default;

void Process::AssignDefaultName() {
  if (options_.name.empty()) {
    options_.name = absl::StrCat("Process-", ++internal::processes_created);
  }
}

absl::Status Process::Start() {
  if (closed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("Start() on ", options_.name, ", which was closed (Close())"));
  }
  if (started_ != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Start() called twice on ", options_.name,
        ": a Process runs its target once; create a new Process to run it again"));
  }
  child_identity_ = std::make_unique<internal::Identity>(internal::Identity{
      .name = options_.name,
      .daemon = options_.daemon,
      .parent_pid = ::getpid(),
      .parent_name = CurrentProcess().name,
  });
  absl::Status started = absl::InvalidArgumentError("unknown start method");
  switch (options_.start_method) {
    case StartMethod::kFork:
      started = StartByFork();
      break;
    case StartMethod::kSpawn:
      started = StartBySpawn();
      break;
    case StartMethod::kForkServer:
      started = StartByForkServer();
      break;
  }
  // The child has its own copy of the target now (or its name and arguments): let go of
  // ours, and of everything it captured, as Python drops its target once started. Kept
  // after a failed start, which may be tried again.
  if (started.ok()) {
    bound_target_ = nullptr;
    encoded_args_.reset();
    internal::RecordPoolEvent(absl::StrCat("process pid=", started_->info.pid, " method=",
                                           StartMethodName(options_.start_method)));
    if (internal::BugPutBack("start_waits_for_child")) {
      (void)started_->child->WaitUntil(absl::InfiniteFuture());
    }
  }
  return started;
}

void Process::RecordEndOnce(int exit_code) {
  if (end_recorded_ || started_ == nullptr) return;
  end_recorded_ = true;
  internal::RecordPoolEvent(absl::StrCat("process_exit pid=", started_->info.pid, " code=", exit_code));
}

namespace {

std::shared_ptr<internal::StartedProcess> Record(
    const ProcessOptions& options, std::unique_ptr<internal::ChildHandle> child) {
  auto started = std::make_shared<internal::StartedProcess>(internal::StartedProcess{
      .info = {.pid = child->pid(), .name = options.name, .daemon = options.daemon},
      .parent_pid = ::getpid(),
      .child = std::move(child),
  });
  internal::PerProcess<internal::ChildList>().Add(started);
  return started;
}

}  // namespace

absl::Status Process::StartByFork() {
  // Anything this process printed but has not yet written out sits in stdio buffers,
  // which fork() copies: flush first, or the child would write it a second time.
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    // The child. Until the target runs, only async-signal-safe calls: another thread
    // of the parent may have held the malloc or stdio lock at the moment of fork().
    internal::ForkServer::CloseInheritedConnection();
    internal::BecomeChild(child_identity_.get(), parent);
    internal::RunTaskAndExit(bound_target_);
  }
  started_ = Record(options_, std::make_unique<internal::DirectChild>(pid));
  return absl::OkStatus();
}

namespace {

absl::StatusOr<internal::TaskMessage> MakeTaskMessage(const ProcessOptions& options,
                                                      const void* function,
                                                      const std::optional<std::string>& args,
                                                      const internal::Identity& identity) {
  const absl::string_view method = StartMethodName(options.start_method);
  if (function == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.name, ": the ", method, " start method runs a function registered with "
        "MP_REGISTER_TASK, but this target is a lambda or callable object, which exists "
        "only in this process; pass a plain function, or use StartMethod::kFork"));
  }
  const internal::RegisteredTask* task = internal::FindTaskByFunction(function);
  if (task == nullptr || !args.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.name, ": the ", method, " start method runs a function registered with "
        "MP_REGISTER_TASK, and this one is not: add MP_REGISTER_TASK(its_name); at "
        "namespace scope (in a cc_library, also set alwayslink = True)"));
  }
  return internal::TaskMessage{
      .task_name = task->name, .encoded_args = *args, .identity = identity};
}

}  // namespace

absl::Status Process::StartBySpawn() {
  MP_ASSIGN_OR_RETURN(
      internal::TaskMessage message,
      MakeTaskMessage(options_, function_, encoded_args_, *child_identity_));
  MP_ASSIGN_OR_RETURN(internal::UniqueFd message_file, internal::WriteTaskMessage(message));
  MP_ASSIGN_OR_RETURN(pid_t pid,
                      internal::SpawnSelf(internal::kTaskRole, message_file.get()));
  started_ = Record(options_, std::make_unique<internal::DirectChild>(pid));
  return absl::OkStatus();
}

absl::Status Process::StartByForkServer() {
  MP_ASSIGN_OR_RETURN(
      internal::TaskMessage message,
      MakeTaskMessage(options_, function_, encoded_args_, *child_identity_));
  MP_ASSIGN_OR_RETURN(std::unique_ptr<internal::ChildHandle> child,
                      internal::ForkServer::OfThisProcess().StartChild(message));
  started_ = Record(options_, std::move(child));
  return absl::OkStatus();
}

absl::Status Process::CheckStarted(absl::string_view operation) const {
  if (closed_) {
    return absl::FailedPreconditionError(absl::StrCat(
        operation, "() on ", options_.name, ", which was closed (Close()): nothing is left to do"));
  }
  if (started_ == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        operation, "() on ", options_.name, ", which was never started: call Start() first"));
  }
  if (started_->parent_pid != ::getpid()) {
    return absl::FailedPreconditionError(absl::StrCat(
        operation, "() on ", options_.name,
        ", which another process started: only its parent may do that"));
  }
  return absl::OkStatus();
}

absl::Status Process::Join() { return Join(absl::InfiniteDuration()); }

absl::Status Process::Join(absl::Duration timeout) {
  MP_RETURN_IF_ERROR(CheckStarted("Join"));
  MP_RETURN_IF_ERROR(internal::CheckTimeout(timeout, "Join()"));
  MP_ASSIGN_OR_RETURN(std::optional<int> exit_code,
                      started_->child->WaitUntil(absl::Now() + timeout));
  if (!exit_code.has_value()) {
    if (internal::BugPutBack("join_timeout_kills_child")) (void)Kill();
    return absl::DeadlineExceededError(absl::StrCat(
        options_.name, " (pid ", started_->info.pid, ") still runs after ",
        absl::FormatDuration(timeout)));
  }
  RecordEndOnce(*exit_code);
  return absl::OkStatus();
}

absl::StatusOr<int> Process::sentinel() const {
  if (absl::Status started = CheckStarted("sentinel"); !started.ok()) return started;
  const int fd = started_->child->sentinel();
  if (fd < 0) return absl::UnimplementedError("this kernel has no pidfds to wait on (Linux 5.3+)");
  return fd;
}

std::optional<pid_t> Process::pid() const {
  if (started_ == nullptr) return std::nullopt;
  return started_->info.pid;
}

std::optional<int> Process::exit_code() {
  if (!CheckStarted("exit_code").ok()) return std::nullopt;
  absl::StatusOr<std::optional<int>> ended =
      started_->child->WaitUntil(absl::InfinitePast());
  if (!ended.ok() || !ended->has_value()) return std::nullopt;
  RecordEndOnce(**ended);
  return *ended;
}

bool Process::IsAlive() {
  return CheckStarted("IsAlive").ok() && !exit_code().has_value();
}

absl::Status Process::Terminate() {
  MP_RETURN_IF_ERROR(CheckStarted("Terminate"));
  return started_->child->Signal(SIGTERM);
}

absl::Status Process::Interrupt() {
  MP_RETURN_IF_ERROR(CheckStarted("Interrupt"));
  return started_->child->Signal(SIGINT);
}

absl::Status Process::Kill() {
  MP_RETURN_IF_ERROR(CheckStarted("Kill"));
  return started_->child->Signal(SIGKILL);
}

absl::Status Process::Close() {
  if (closed_) return absl::OkStatus();
  if (started_ != nullptr) {
    MP_RETURN_IF_ERROR(CheckStarted("Close"));
    if (!exit_code().has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Close() on ", options_.name, " (pid ", started_->info.pid,
          "), which still runs: Join() it first (or Kill() it, then Join())"));
    }
  }
  closed_ = true;
  started_.reset();  // the child's handle, and its descriptor (the list holds it weakly)
  bound_target_ = nullptr;
  encoded_args_.reset();
  child_identity_.reset();
  return absl::OkStatus();
}

ProcessInfo CurrentProcess() {
  const internal::Identity* identity = internal::CurrentIdentity();
  if (identity == nullptr) return {.pid = ::getpid(), .name = "MainProcess"};
  return {.pid = ::getpid(), .name = identity->name, .daemon = identity->daemon};
}

std::optional<ProcessInfo> ParentProcess() {
  const internal::Identity* identity = internal::CurrentIdentity();
  if (identity == nullptr) return std::nullopt;
  return ProcessInfo{.pid = identity->parent_pid, .name = identity->parent_name};
}

namespace {

// From /proc/<pid>/stat: the state letter and the start time (clock ticks after boot), or
// nullopt if there is no such process. A pid whose process started after this one is a
// reused pid, not our parent's.
struct StatOfProcess {
  char state = '?';
  unsigned long long start_ticks = 0;
};
std::optional<StatOfProcess> ReadStat(pid_t pid) {
  std::ifstream file(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(file, line)) return std::nullopt;
  // The name, field 2, is in parentheses and may hold spaces or ')': fields resume after
  // the last ')'. There, field 3 (the state) comes first and field 22 (start time) 20th.
  const size_t name_end = line.rfind(')');
  if (name_end == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(name_end + 1));
  StatOfProcess stat;
  std::string skipped;
  fields >> stat.state;
  for (int field = 4; field < 22; ++field) fields >> skipped;
  if (!(fields >> stat.start_ticks)) return std::nullopt;
  return stat;
}

}  // namespace

bool ParentIsAlive() {
  const internal::Identity* identity = internal::CurrentIdentity();
  if (identity == nullptr) return false;
  // Started by fork or spawn, the parent is the kernel's, which hands its orphans to
  // another process (init, or a subreaper) as it ends: exact, and no file to read.
  if (internal::KernelParentAtStart() == identity->parent_pid) {
    return ::getppid() == identity->parent_pid;
  }
  // A forkserver child's kernel parent is the server: look the parent up instead.
  const std::optional<StatOfProcess> parent = ReadStat(identity->parent_pid);
  const std::optional<StatOfProcess> self = ReadStat(::getpid());
  return parent.has_value() && self.has_value() && parent->state != 'Z' &&
         parent->state != 'X' && parent->start_ticks <= self->start_ticks;
}

std::vector<ProcessInfo> ActiveChildren() {
  return internal::PerProcess<internal::ChildList>().CollectActive();
}

absl::Status StartForkServer() { return internal::ForkServer::OfThisProcess().Start(); }

absl::Status ShutdownForkServer() {
  return internal::ForkServer::OfThisProcess().Shutdown();
}

}  // namespace mp
