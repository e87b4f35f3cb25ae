// A program that uses ParseFlags(), for parse_flags_test to run.
#include <cstdio>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, count, 1, "how many greetings to print; at least 1");

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Prints 'hello' --count times.");
  if (absl::GetFlag(FLAGS_count) < 1) mp::cli::ExitBadUsage("--count must be at least 1");
  for (int i = 0; i < absl::GetFlag(FLAGS_count); ++i) std::printf("hello\n");
  return 0;
}
