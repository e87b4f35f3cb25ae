#include "process/testing/spawned_program.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/runfile.h"
#include "base/unique_fd.h"
#include "process/subprocess.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mp::test {

using ::bazel::tools::cpp::runfiles::Runfiles;

std::string Runfile(const std::string& path_in_repository) {
  static Runfiles* runfiles = [] {
    std::string error;
    Runfiles* found = Runfiles::CreateForTest(&error);
    if (found == nullptr) {
      std::fprintf(stderr, "cannot find Bazel runfiles: %s\n", error.c_str());
      std::abort();
    }
    return found;
  }();
  return cli::RlocationInThisRepository(*runfiles, path_in_repository);
}

absl::StatusOr<SpawnedProgram> SpawnedProgram::Start(const std::string& path,
                                                     const std::vector<std::string>& args,
                                                     bool new_session) {
  Command command;
  command.argv = {path};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.standard_input = Redirect::Pipe();
  command.standard_output = Redirect::Pipe();
  command.new_session = new_session;
  absl::StatusOr<Subprocess> program = Subprocess::Start(command);
  if (!program.ok()) return program.status();
  return SpawnedProgram(*std::move(program));
}

absl::StatusOr<bool> SpawnedProgram::ReadMore(absl::Time deadline) {
  if (stdout_at_end_) return false;
  absl::StatusOr<bool> readable = internal::WaitReadable(program_.stdout_fd(), deadline);
  if (!readable.ok()) return readable.status();
  if (!*readable) return absl::DeadlineExceededError("the program printed nothing more in time");
  char chunk[4096];
  const ssize_t n = ::read(program_.stdout_fd(), chunk, sizeof(chunk));
  if (n < 0) {
    if (errno == EINTR) return true;
    return absl::ErrnoToStatus(errno, "read");
  }
  if (n == 0) {
    stdout_at_end_ = true;
    return false;
  }
  buffered_.append(chunk, static_cast<size_t>(n));
  return true;
}

absl::StatusOr<std::string> SpawnedProgram::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const size_t newline = buffered_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      return line;
    }
    absl::StatusOr<bool> more = ReadMore(deadline);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OutOfRangeError("the program closed its stdout");
  }
}

absl::StatusOr<std::string> SpawnedProgram::ReadAll(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<bool> more = ReadMore(deadline);
    if (!more.ok()) return more.status();
    if (!*more) return std::exchange(buffered_, "");
  }
}

void SpawnedProgram::CloseStdin() { program_.CloseStdin(); }

absl::StatusOr<int> SpawnedProgram::Wait(absl::Duration timeout) {
  return program_.Wait(std::max(timeout, absl::ZeroDuration()));
}

absl::StatusOr<ProgramOutput> RunProgram(const std::string& path,
                                         const std::vector<std::string>& args,
                                         absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<SpawnedProgram> program = SpawnedProgram::Start(path, args);
  if (!program.ok()) return program.status();
  program->CloseStdin();
  ProgramOutput output;
  absl::StatusOr<std::string> text = program->ReadAll(deadline - absl::Now());
  if (!text.ok()) return text.status();
  output.stdout_text = *std::move(text);
  absl::StatusOr<int> exit_code = program->Wait(deadline - absl::Now());
  if (!exit_code.ok()) return exit_code.status();
  output.exit_code = *exit_code;
  return output;
}

}  // namespace mp::test
