// The command-line conventions every binary in this repository follows.
//
//   int main(int argc, char** argv) {
//     mp::cli::ParseFlags(argc, argv, "Prints N numbers from N processes.");
//     if (absl::GetFlag(FLAGS_processes) < 1) mp::cli::ExitBadUsage("--processes must be >= 1");
//     ...
//   }
//
// - `--help` prints the usage and exits 0.
// - An unknown flag, a flag value that does not parse, or a stray positional argument
//   prints what is wrong and exits 2, as does ExitBadUsage() for values a program rejects.

#ifndef MP_BASE_CLI_PARSE_FLAGS_H_
#define MP_BASE_CLI_PARSE_FLAGS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mp::cli {

// Parses Abseil flags from argv; exits 0 after --help and 2 on bad usage (see above).
// Call once, first thing in main().
void ParseFlags(int argc, char** argv, absl::string_view usage);

// Prints "<program>: <message>" and a pointer to --help on stderr, then exits 2.
[[noreturn]] void ExitBadUsage(absl::string_view message);

// A path given on the command line, as the user meant it. `bazel run` starts a program in
// its runfiles, not where the user typed the command; a relative path is made relative
// to that directory (BUILD_WORKING_DIRECTORY) instead. Absolute paths, and any path
// outside `bazel run`, are returned as they are.
std::string UserPath(const std::string& path);

}  // namespace mp::cli

#endif  // MP_BASE_CLI_PARSE_FLAGS_H_
