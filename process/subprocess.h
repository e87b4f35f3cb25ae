// Running external programs: the C++ counterpart of Python's subprocess.Popen/run.
//
//   mp::Command command;
//   command.argv = {"sort", "-r"};                       // found in PATH
//   command.standard_input = mp::Redirect::Pipe();
//   command.standard_output = mp::Redirect::Pipe();
//   absl::StatusOr<mp::CompletedProgram> done =
//       mp::RunProgram(command, absl::Seconds(10), /*input=*/"b\na\n");
//   // done->exit_code == 0, done->stdout_text == "b\na\n"
//
// Each of stdin, stdout and stderr is inherited from us (the default), piped to us,
// read from or written to a file, /dev/null, or a descriptor we opened; stderr may also
// join stdout (2>&1).
// The program receives exactly those three descriptors: everything else is closed
// before it runs, as with Python's close_fds=True.
//
// Programs start with posix_spawn(), so starting one is cheap even from a large or
// multi-threaded parent (see README.md for the comparison with fork).
//
// Errors: an empty argv is InvalidArgument; a program that does not exist is NotFound
// and one that may not be executed PermissionDenied, each naming the path. A file to
// redirect to or from that cannot be opened reports open()'s error with its path.

#ifndef MP_PROCESS_SUBPROCESS_H_
#define MP_PROCESS_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"
#include "process/internal/child_handle.h"

namespace mp {

// Where one standard stream of a program goes.
class Redirect {
 public:
  enum class Kind { kInherit, kPipe, kFile, kNull, kToStdout, kDescriptor };

  // Shares this process's stream (the default).
  static Redirect Inherit() { return Redirect(Kind::kInherit, ""); }
  // A pipe to this process: write with Subprocess::stdin_fd(), read output with
  // Subprocess::Communicate() or RunProgram().
  static Redirect Pipe() { return Redirect(Kind::kPipe, ""); }
  // stdin reads `path`; stdout or stderr truncates and writes it (created 0644).
  static Redirect File(std::string path) { return Redirect(Kind::kFile, std::move(path)); }
  // /dev/null.
  static Redirect Null() { return Redirect(Kind::kNull, ""); }
  // stderr only: wherever stdout goes (the shell's 2>&1).
  static Redirect ToStdout() { return Redirect(Kind::kToStdout, ""); }
  // A descriptor of ours that stays open until Start() returns, e.g. one end of a
  // socketpair(): the program gets a copy of it; we keep ours (close it when done).
  static Redirect Descriptor(int fd) { return Redirect(Kind::kDescriptor, "", fd); }

  Kind kind() const { return kind_; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

 private:
  Redirect(Kind kind, std::string path, int fd = -1)
      : kind_(kind), path_(std::move(path)), fd_(fd) {}
  Kind kind_;
  std::string path_;
  int fd_;
};

struct Command {
  // argv[0] names the program: a path if it contains '/', otherwise it is looked up
  // in this process's PATH.
  std::vector<std::string> argv;
  // "NAME=value" entries; nullopt passes this process's environment.
  std::optional<std::vector<std::string>> environment;
  // Empty: this process's working directory.
  std::string working_directory;
  Redirect standard_input = Redirect::Inherit();
  Redirect standard_output = Redirect::Inherit();
  Redirect standard_error = Redirect::Inherit();
  // Starts the program in a session of its own (setsid), which also makes it the leader
  // of a process group of its own: kill(-pid, signal) reaches it and everything it
  // starts, as Ctrl-C in a terminal reaches a whole job. (Python's subprocess:
  // start_new_session=True.)
  bool new_session = false;
};

struct CompletedProgram {
  // The exit status, or minus the number of the signal that ended the program.
  int exit_code = 0;
  std::string stdout_text;  // only for Redirect::Pipe()
  std::string stderr_text;  // only for Redirect::Pipe()
};

// A running program. Movable, not copyable. Destroying a Subprocess whose program
// still runs kills it (SIGKILL) and reaps it, so it never leaves a zombie or an
// orphan: call Wait() or Communicate() first to let it finish.
//
// Thread safety: one thread at a time, except that Terminate() and Kill() may be
// called from another thread during Wait().
class Subprocess {
 public:
  static absl::StatusOr<Subprocess> Start(const Command& command);

  Subprocess(Subprocess&&) = default;
  Subprocess& operator=(Subprocess&&) = default;
  ~Subprocess() = default;

  pid_t pid() const { return child_->pid(); }

  // The write end of the program's stdin, or -1 if it is not Redirect::Pipe().
  int stdin_fd() const { return stdin_.get(); }
  // Closes our end of the stdin pipe: the program reads end of file.
  void CloseStdin() { stdin_.Reset(); }

  // The read ends of stdout and stderr, or -1 where not Redirect::Pipe(), for callers
  // that read output as it comes instead of through Communicate().
  int stdout_fd() const { return stdout_.get(); }
  int stderr_fd() const { return stderr_.get(); }

  // Writes `input` to stdin (then closes it), reads piped stdout and stderr until
  // end of file, and waits for the program to end; all within `timeout`. Reading
  // and writing are interleaved, so a program that writes much before it reads all
  // its input cannot deadlock with us. DeadlineExceeded leaves the program running.
  // InvalidArgument if `input` is not empty and stdin is not piped.
  absl::StatusOr<CompletedProgram> Communicate(std::string_view input,
                                               absl::Duration timeout);

  // Waits for the program to end and returns its exit code. DeadlineExceeded if it
  // still runs after `timeout` (it keeps running); InvalidArgument if `timeout` is
  // negative.
  absl::StatusOr<int> Wait(absl::Duration timeout = absl::InfiniteDuration());

  // Sends SIGTERM / SIGKILL; a no-op once the program has been waited for.
  absl::Status Terminate();
  absl::Status Kill();

 private:
  Subprocess(std::unique_ptr<internal::ChildHandle> child, internal::UniqueFd stdin_fd,
             internal::UniqueFd stdout_fd, internal::UniqueFd stderr_fd)
      : child_(std::move(child)),
        stdin_(std::move(stdin_fd)),
        stdout_(std::move(stdout_fd)),
        stderr_(std::move(stderr_fd)) {}

  std::unique_ptr<internal::ChildHandle> child_;
  internal::UniqueFd stdin_;   // our ends of the pipes, where piped
  internal::UniqueFd stdout_;
  internal::UniqueFd stderr_;
};

// Starts `command`, feeds it `input`, collects its piped output and waits for it to
// end, all within `timeout`. On DeadlineExceeded the program is killed and reaped.
absl::StatusOr<CompletedProgram> RunProgram(const Command& command,
                                            absl::Duration timeout,
                                            std::string_view input = "");

}  // namespace mp

#endif  // MP_PROCESS_SUBPROCESS_H_
