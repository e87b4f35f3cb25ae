// Test support: run one of this repository's binaries as a child process and talk to
// it through its stdin and stdout, with a deadline on every wait.
//
// Tests use it to check what a demo prints, to grade an exercise, or to start a server
// in a second process:
//
//   auto output = mp::test::RunProgram(mp::test::Runfile("concepts/x/demo"),
//                                      {"--workers=4"}, absl::Seconds(30));
//   ASSERT_TRUE(output.ok()) << output.status();
//   EXPECT_EQ(output->exit_code, 0);
//
// Every child is reaped: a SpawnedProgram that is destroyed while its child still runs
// kills it (SIGKILL) and waits for it, so a failing test leaves no orphan or zombie.
// Descriptors are opened close-on-exec, so a child inherits only its stdin and stdout.
//
// Thread safety: a SpawnedProgram is used by one thread at a time.

#ifndef MP_PROCESS_TESTING_SPAWNED_PROGRAM_H_
#define MP_PROCESS_TESTING_SPAWNED_PROGRAM_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "process/subprocess.h"

namespace mp::test {

// The path of `path_in_repository` (e.g. "ipc/task_service_server") in the runfiles of
// the running test. Aborts the test binary if Bazel's runfiles cannot be found.
std::string Runfile(const std::string& path_in_repository);

class SpawnedProgram {
 public:
  // Starts `path` with `args` (argv[0] is `path`), its stdin and stdout piped to us and
  // its stderr shared with ours. NotFound if `path` does not exist. (A thin layer over
  // mp::Subprocess that adds reading stdout line by line.)
  // With `new_session`, the child leads a session and process group of its own
  // (Command's option of that name), so a test can signal it and all it starts as a
  // terminal would.
  static absl::StatusOr<SpawnedProgram> Start(const std::string& path,
                                              const std::vector<std::string>& args,
                                              bool new_session = false);

  SpawnedProgram(SpawnedProgram&& other) noexcept = default;
  SpawnedProgram& operator=(SpawnedProgram&&) = delete;
  SpawnedProgram(const SpawnedProgram&) = delete;
  SpawnedProgram& operator=(const SpawnedProgram&) = delete;

  // Kills the child if it still runs, then reaps it.
  ~SpawnedProgram() = default;

  pid_t pid() const { return program_.pid(); }

  // Reads one line of the child's stdout, without its '\n'. OutOfRange at end of file;
  // DeadlineExceeded if no whole line arrives within `timeout`.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);

  // Reads the child's stdout until end of file. DeadlineExceeded after `timeout`.
  absl::StatusOr<std::string> ReadAll(absl::Duration timeout);

  // Closes the child's stdin, so that it reads end of file.
  void CloseStdin();

  // Waits for the child to end; returns its exit code (minus the signal number if a
  // signal ended it). DeadlineExceeded if it still runs after `timeout` (it is left
  // running; the destructor kills it).
  absl::StatusOr<int> Wait(absl::Duration timeout);

 private:
  explicit SpawnedProgram(Subprocess program) : program_(std::move(program)) {}

  // Appends what the child wrote to buffered_, waiting at most until `deadline`.
  // Returns false at end of file.
  absl::StatusOr<bool> ReadMore(absl::Time deadline);

  Subprocess program_;
  bool stdout_at_end_ = false;
  std::string buffered_;  // read from stdout, not yet returned
};

struct ProgramOutput {
  int exit_code = 0;  // minus the signal number if a signal ended the program
  std::string stdout_text;
};

// Runs `path` with `args` to completion, with stdin at end of file, and captures its
// stdout. DeadlineExceeded (and the child killed) if it takes longer than `timeout`.
absl::StatusOr<ProgramOutput> RunProgram(const std::string& path,
                                         const std::vector<std::string>& args,
                                         absl::Duration timeout);

}  // namespace mp::test

#endif  // MP_PROCESS_TESTING_SPAWNED_PROGRAM_H_
