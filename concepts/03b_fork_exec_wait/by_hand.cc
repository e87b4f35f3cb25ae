#include "concepts/03b_fork_exec_wait/by_hand.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/put_bug_back.h"
#include "concepts/raw_calls.h"

namespace mp::concepts {
namespace {

// Both ends of a new pipe, close-on-exec.
absl::StatusOr<std::pair<int, int>> NewPipe() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  return std::make_pair(ends[0], ends[1]);
}

// Everything readable from `fd` until end of file; closes it.
std::string ReadToEnd(int fd) {
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  close(fd);
  return text;
}

}  // namespace

WaitStatus Decode(int raw_status) {
  WaitStatus decoded;
  decoded.exited = WIFEXITED(raw_status);
  if (decoded.exited) decoded.exit_status = WEXITSTATUS(raw_status);
  decoded.signaled = WIFSIGNALED(raw_status);
  if (decoded.signaled) decoded.term_signal = WTERMSIG(raw_status);
  return decoded;
}

absl::StatusOr<TwoReturns> ForkReturnsTwice() {
  absl::StatusOr<std::pair<int, int>> channel = NewPipe();
  if (!channel.ok()) return channel.status();
  const auto [from_child, to_parent] = *channel;
  const pid_t returned = fork();
  if (returned == -1) return absl::ErrnoToStatus(errno, "fork");
  if (returned == 0) {  // the child: fork() returned 0 here
    const pid_t report[3] = {returned, getpid(), getppid()};
    WriteAll(to_parent, report, sizeof(report));
    _exit(0);
  }
  close(to_parent);  // the parent: fork() returned the child's pid here
  const std::string report = ReadToEnd(from_child);
  absl::StatusOr<int> status = WaitForChild(returned);
  if (!status.ok()) return status.status();
  pid_t fields[3] = {-1, -1, -1};
  if (report.size() != sizeof(fields)) return absl::InternalError("the child did not report");
  std::memcpy(fields, report.data(), sizeof(fields));
  // Claim 1's counterfactual (base/put_bug_back.h): the child's value read from the
  // parent's variable, as a program that forgets fork() returned twice would.
  const pid_t in_child =
      internal::BugPutBack("fork_child_value_from_parent") ? returned : fields[0];
  return TwoReturns{.in_parent = returned, .in_child = in_child, .child_getpid = fields[1],
                    .child_getppid = fields[2]};
}

absl::StatusOr<WaitStatus> ExitWith(int code) {
  const pid_t child = fork();
  if (child == -1) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) _exit(code);  // only the low 8 bits reach the parent
  absl::StatusOr<int> status = WaitForChild(child);
  if (!status.ok()) return status.status();
  return Decode(*status);
}

absl::StatusOr<WaitStatus> DieBySignal(int signal_number) {
  const pid_t child = fork();
  if (child == -1) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    signal(signal_number, SIG_DFL);
    // A core dump of each child would only fill the disk.
    prctl(PR_SET_DUMPABLE, 0);
    raise(signal_number);
    _exit(100);  // not reached for a signal whose default action ends the process
  }
  absl::StatusOr<int> status = WaitForChild(child);
  if (!status.ok()) return status.status();
  return Decode(*status);
}

absl::StatusOr<Exec> ForkAndExec(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& environment) {
  if (argv.empty()) return absl::InvalidArgumentError("ForkAndExec needs argv[0]");
  // Built before fork(): the child of a threaded process may not allocate.
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (const std::string& entry : environment) env.push_back(const_cast<char*>(entry.c_str()));
  env.push_back(nullptr);
  absl::StatusOr<std::pair<int, int>> channel = NewPipe();
  if (!channel.ok()) return channel.status();
  const auto [from_child, child_stdout] = *channel;
  // Claim 2's counterfactual (base/put_bug_back.h): the program run in a new process (a
  // grandchild), as if exec started one.
  const bool exec_in_a_new_process = internal::BugPutBack("exec_in_a_new_process");

  const pid_t child = fork();
  if (child == -1) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    if (exec_in_a_new_process) {
      const pid_t grandchild = fork();
      if (grandchild != 0) {
        int grandchild_status = 0;
        if (grandchild > 0) waitpid(grandchild, &grandchild_status, 0);
        _exit(WIFEXITED(grandchild_status) ? WEXITSTATUS(grandchild_status) : 1);
      }
    }
    dup2(child_stdout, STDOUT_FILENO);  // dup2's copy is not close-on-exec: exec keeps it
    execve(args[0], args.data(), env.data());
    // Only reached if execve() failed: the program is still ours, so say why and leave
    // with 127, as a shell does for "command not found".
    const char message[] = "exec failed: errno ";
    WriteAll(STDOUT_FILENO, message, sizeof(message) - 1);
    char digits[12];
    int length = 0;
    for (int error = errno; error > 0 && length < 11; error /= 10) digits[length++] = static_cast<char>('0' + error % 10);
    for (int i = length - 1; i >= 0; --i) WriteAll(STDOUT_FILENO, &digits[i], 1);
    _exit(127);
  }
  close(child_stdout);
  Exec exec{.forked = child, .output = ReadToEnd(from_child)};
  absl::StatusOr<int> status = WaitForChild(child);
  if (!status.ok()) return status.status();
  exec.status = Decode(*status);
  return exec;
}

absl::StatusOr<std::string> BufferedLineThenFork(bool child_calls_exit) {
  absl::StatusOr<std::pair<int, int>> channel = NewPipe();
  if (!channel.ok()) return channel.status();
  const auto [read_end, write_end] = *channel;
  FILE* out = fdopen(write_end, "w");
  if (out == nullptr) return absl::ErrnoToStatus(errno, "fdopen");
  std::setvbuf(out, nullptr, _IOFBF, 4096);  // fully buffered, as a file or pipe is
  std::fflush(stdout);  // only `out` may hold unwritten text when we fork
  std::fflush(stderr);
  std::fputs("a line still in the buffer\n", out);  // in our memory, not yet written
  const pid_t child = fork();
  if (child == -1) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    close(read_end);
    if (child_calls_exit) exit(0);  // flushes stdio: the copied buffer is written
    _exit(0);                       // does not: the copy dies unwritten
  }
  std::fclose(out);  // ours is written now
  absl::StatusOr<int> status = WaitForChild(child);
  if (!status.ok()) return status.status();
  return ReadToEnd(read_end);
}

namespace {

std::atomic<bool> signal_handled{false};
void NoteSignal(int /*signal*/) { signal_handled.store(true); }

// The system call thread `tid` of this process is blocked in, from
// /proc/self/task/<tid>/syscall ("running" while it runs); -1 if it cannot be read.
long CurrentSyscall(pid_t tid) {
  std::ifstream file(absl::StrCat("/proc/self/task/", tid, "/syscall"));
  std::string first;
  long number = -1;
  if (file >> first && absl::SimpleAtoi(first, &number)) return number;
  return -1;
}

}  // namespace

absl::StatusOr<int> InterruptedWaitpid(bool sa_restart) {
  struct sigaction handler = {};
  handler.sa_handler = NoteSignal;
  handler.sa_flags = sa_restart ? SA_RESTART : 0;
  struct sigaction before = {};
  sigaction(SIGUSR2, &handler, &before);
  signal_handled.store(false);

  absl::StatusOr<std::pair<int, int>> channel = NewPipe();
  if (!channel.ok()) return channel.status();
  const auto [release_read, release_write] = *channel;
  const pid_t child = fork();
  if (child == -1) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    close(release_write);  // our copy of the write end would keep the read from ever ending
    char byte;
    while (read(release_read, &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(7);  // once we close the pipe
  }
  close(release_read);

  std::atomic<pid_t> waiter_tid{0};
  int interrupted = 0;
  int raw_status = 0;
  std::thread waiter([&] {
    waiter_tid.store(static_cast<pid_t>(syscall(SYS_gettid)));
    while (waitpid(child, &raw_status, 0) == -1) {
      if (errno != EINTR) return;
      ++interrupted;
    }
  });
  // Signal the waiter only once it is inside waitpid(), or there is nothing to interrupt.
  // (A condition we wait for, with a deadline; not a guess at how long it takes.)
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while ((waiter_tid.load() == 0 || CurrentSyscall(waiter_tid.load()) != SYS_wait4) &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  pthread_kill(waiter.native_handle(), SIGUSR2);
  while (!signal_handled.load() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
  close(release_write);  // now the child may exit
  waiter.join();
  sigaction(SIGUSR2, &before, nullptr);
  if (!signal_handled.load()) return absl::DeadlineExceededError("the signal never arrived");
  if (Decode(raw_status).exit_status != 7) return absl::InternalError("the child was not collected");
  return interrupted;
}

absl::StatusOr<int> ForkWhereNoProcessMayStart() {
#if defined(__x86_64__)
  constexpr uint32_t kThisArchitecture = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  constexpr uint32_t kThisArchitecture = AUDIT_ARCH_AARCH64;
#else
  return absl::UnimplementedError("no seccomp filter written for this architecture");
#endif
#if defined(__x86_64__) || defined(__aarch64__)
  // Claim 7's counterfactual (base/put_bug_back.h): no filter, so fork() succeeds.
  const bool filter_left_out = internal::BugPutBack("seccomp_filter_left_out");
  absl::StatusOr<std::array<int, 2>> found = InALab([&]() -> std::array<int, 2> {
    // clone and clone3 (what fork() calls) fail with EAGAIN; everything else is allowed.
    sock_filter rules[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kThisArchitecture, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EAGAIN & SECCOMP_RET_DATA)),
    };
    sock_fprog program = {.len = sizeof(rules) / sizeof(rules[0]), .filter = rules};
    int error = -1;
    if (filter_left_out || (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
                            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0)) {
      const pid_t grandchild = fork();
      if (grandchild == 0) _exit(0);
      error = grandchild == -1 ? errno : 0;
      if (grandchild > 0) waitpid(grandchild, nullptr, 0);
    }
    return {error, 0};
  });
  if (!found.ok()) return found.status();
  if ((*found)[0] == -1) return absl::InternalError("the seccomp filter could not be installed");
  return (*found)[0];
#endif
}

}  // namespace mp::concepts
