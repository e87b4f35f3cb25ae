#include "benchmarks/scaling/python_side.h"

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "base/cli/runfile.h"
#include "process/subprocess.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mp::scaling {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;

constexpr absl::string_view kScriptRunfile = "scaling/workloads.py";

bool IsReadable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::vector<std::string> Arguments(const PythonRequest& request) {
  const WorkSize& size = request.size;
  return {request.python,
          request.script,
          "--engine=" + request.engine,
          absl::StrCat("--workload=", WorkloadName(request.workload)),
          "--workers=" + absl::StrJoin(request.workers, ","),
          absl::StrCat("--repetitions=", request.repetitions),
          absl::StrCat("--tasks=", size.tasks),
          absl::StrCat("--first_number=", size.first_number),
          absl::StrCat("--numbers_per_task=",
                       std::max<int64_t>(1, size.numbers_per_task / kPythonCpuDivisor)),
          absl::StrCat("--array_bytes=", size.array_bytes),
          absl::StrCat("--slices_per_task=", size.slices_per_task),
          absl::StrCat("--wait_micros=", size.wait_micros),
          absl::StrCat("--serial_fraction=", size.serial_fraction),
          absl::StrCat("--trivial_tasks=", size.trivial_tasks)};
}

}  // namespace

absl::StatusOr<std::string> FindPythonScript(absl::string_view flag_value, absl::string_view argv0) {
  if (!flag_value.empty()) {
    std::string path(flag_value);
    if (IsReadable(path)) return path;
    return absl::NotFoundError(absl::StrCat("--python_script ", path, " cannot be read"));
  }
  // Bazel's runfiles library knows every place `bazel run`, `bazel test` and bazel-bin/
  // put a program's data files.
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::Create(std::string(argv0), &error));
  if (runfiles == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot find this program's Bazel runfiles (", error,
                                            "); pass --python_script=PATH"));
  }
  const std::string path = cli::RlocationInThisRepository(*runfiles, std::string(kScriptRunfile));
  if (IsReadable(path)) return path;
  return absl::NotFoundError(
      absl::StrCat("workloads.py is not at ", path, "; pass --python_script=PATH"));
}

bool PythonAvailable(const std::string& python) {
  if (python.find('/') != std::string::npos) return access(python.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  for (absl::string_view directory : absl::StrSplit(path, ':')) {
    if (access(absl::StrCat(directory, "/", python).c_str(), X_OK) == 0) return true;
  }
  return false;
}

absl::StatusOr<std::vector<PythonRun>> RunPython(const PythonRequest& request) {
  Command command;
  command.argv = Arguments(request);
  command.standard_output = Redirect::Pipe();
  command.standard_error = Redirect::Pipe();
  absl::StatusOr<CompletedProgram> done = RunProgram(command, request.timeout);
  if (!done.ok()) return done.status();
  if (done->exit_code != 0) {
    return absl::UnavailableError(absl::StrCat(request.python, " ", request.script,
                                               " exited with ", done->exit_code, ": ",
                                               done->stderr_text));
  }
  return ParsePythonOutput(done->stdout_text);
}

absl::StatusOr<std::vector<PythonRun>> ParsePythonOutput(absl::string_view output) {
  std::vector<PythonRun> runs;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (!absl::ConsumePrefix(&line, "RUN ")) continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    PythonRun run;
    if (fields.size() != 4 || !absl::SimpleAtoi(fields[0], &run.workers) ||
        !absl::SimpleAtoi(fields[1], &run.repetition) ||
        !absl::SimpleAtod(fields[2], &run.wall_seconds) ||
        !absl::SimpleAtoi(fields[3], &run.checksum)) {
      return absl::DataLossError(absl::StrCat("workloads.py printed a bad line: RUN ", line));
    }
    runs.push_back(run);
  }
  return runs;
}

}  // namespace mp::scaling
