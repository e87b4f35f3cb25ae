// Finding one of this program's data files (a `data` dependency in its BUILD target)
// where Bazel put it: `bazel run`, `bazel test` and bazel-bin/ each lay them out
// differently, and Bazel's runfiles library, given argv[0], knows all three.
//
//   absl::StatusOr<std::string> host = mp::cli::FindRunfile(argv[0], "pool/remote/worker");
//
// Paths are relative to the repository's root, never prefixed with its name: the name
// differs between Bazel's WORKSPACE mode and Bzlmod.

#ifndef MP_BASE_CLI_RUNFILE_H_
#define MP_BASE_CLI_RUNFILE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mp::cli {

// The path of `path_in_repository` (a file of this repository, e.g. "concepts/tour")
// among `runfiles`, whatever this repository is named there: "mp_course" under WORKSPACE,
// "_main" under Bzlmod, or what a test's TEST_WORKSPACE says. The one place that knows;
// every runfile lookup goes through it.
std::string RlocationInThisRepository(const bazel::tools::cpp::runfiles::Runfiles& runfiles,
                                      std::string_view path_in_repository);

// The path of `path_in_repository` among the runfiles of the program started as `argv0`;
// NotFound, saying to use `bazel run`, if the program has no runfiles there.
absl::StatusOr<std::string> FindRunfile(const char* argv0, const std::string& path_in_repository);

}  // namespace mp::cli

#endif  // MP_BASE_CLI_RUNFILE_H_
