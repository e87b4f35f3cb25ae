// Finding one of this program's data files (a `data` dependency in its BUILD target)
// where Bazel put it: `bazel run`, `bazel test` and bazel-bin/ each lay them out
// differently, and Bazel's runfiles library, given argv[0], knows all three.
//
//   absl::StatusOr<std::string> host = mp::cli::FindRunfile(argv[0], "pool/remote/worker");

#ifndef MP_PROCESS_CLI_RUNFILE_H_
#define MP_PROCESS_CLI_RUNFILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace mp::cli {

// The path of `path_in_repository` among the runfiles of the program started as `argv0`;
// NotFound, saying to use `bazel run`, if the program has no runfiles there.
absl::StatusOr<std::string> FindRunfile(const char* argv0, const std::string& path_in_repository);

}  // namespace mp::cli

#endif  // MP_PROCESS_CLI_RUNFILE_H_
