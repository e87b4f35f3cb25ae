// Runs the Python twin of the workloads (workloads.py) and reads back its timings.
//
//   absl::StatusOr<std::vector<PythonRun>> runs = RunPython({
//       .script = *FindPythonScript(argv[0]), .engine = "pool",
//       .workload = Workload::kCpu, .workers = {1, 2}, .repetitions = 3, .size = size});
//
// Python does the same jobs as C++, except that the cpu and serial workloads test
// `kPythonCpuDivisor` times fewer numbers per task: CPython takes about that many times
// longer per trial division, and the report should finish in minutes. Speedups compare;
// times do not.

#ifndef MP_BENCHMARKS_SCALING_PYTHON_SIDE_H_
#define MP_BENCHMARKS_SCALING_PYTHON_SIDE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scaling/workloads.h"

namespace mp::scaling {

inline constexpr int kPythonCpuDivisor = 50;

struct PythonRequest {
  std::string python = "python3";
  std::string script = {};
  std::string engine = {};  // "pool" or "threads"
  Workload workload = Workload::kCpu;
  std::vector<int> workers = {};
  int repetitions = 1;
  WorkSize size = {};
  absl::Duration timeout = absl::Minutes(10);
};

// One timed job, as workloads.py printed it.
struct PythonRun {
  int workers = 0;
  int repetition = 0;
  double wall_seconds = 0;
  int64_t checksum = 0;
};

// The path of workloads.py: `flag_value` if not empty, otherwise where Bazel puts it
// among this program's runfiles (bazel run, bazel test, or bazel-bin/...). NotFound says
// where it looked and suggests --python_script.
absl::StatusOr<std::string> FindPythonScript(absl::string_view flag_value, absl::string_view argv0);

// Whether `python` is a program in PATH (or a path that exists).
bool PythonAvailable(const std::string& python);

// Runs the script. Unavailable if the program fails (its stderr in the message).
absl::StatusOr<std::vector<PythonRun>> RunPython(const PythonRequest& request);

// Reads "RUN <workers> <repetition> <seconds> <checksum>" lines; other lines are ignored.
// DataLoss for a RUN line that does not parse.
absl::StatusOr<std::vector<PythonRun>> ParsePythonOutput(absl::string_view output);

}  // namespace mp::scaling

#endif  // MP_BENCHMARKS_SCALING_PYTHON_SIDE_H_
