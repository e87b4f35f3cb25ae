#include "base/cli/parse_flags.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mp::cli {
namespace {

// Set while Abseil parses. Abseil 20220623 ends the program with exit(1) both after
// --help and on a bad flag; an exit() during parsing is therefore one of those two, and
// TranslateExitDuringParsing() turns it into our 0 or 2.
bool parsing = false;
bool help_requested = false;
std::string program_name = "program";  // argv[0] without its directory

void TranslateExitDuringParsing() {
  if (!parsing) return;
  // _exit() skips stdio's own flush, which exit() would do after this handler: without
  // these, --help printed nothing when stdout was a pipe or a file.
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(help_requested ? 0 : 2);
}

// True if argv asks for any of Abseil's help flags (before a "--" that ends the flags).
bool AsksForHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") return false;
    for (absl::string_view help : {"help", "helpfull", "helpshort", "helppackage", "version",
                                   "only_check_args"}) {
      if (arg == absl::StrCat("-", help) || arg == absl::StrCat("--", help) ||
          absl::StartsWith(arg, absl::StrCat("--", help, "="))) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

void ParseFlags(int argc, char** argv, absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  if (argc > 0) {
    const absl::string_view path = argv[0];
    program_name = std::string(path.substr(path.find_last_of('/') + 1));
  }
  help_requested = AsksForHelp(argc, argv);
  std::atexit(TranslateExitDuringParsing);
  parsing = true;
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  parsing = false;
  if (positional.size() > 1) {
    ExitBadUsage(absl::StrCat("unexpected argument '", positional[1],
                              "': this program takes flags only"));
  }
}

void ExitBadUsage(absl::string_view message) {
  std::fprintf(stderr, "%s: %.*s\nRun '%s --help' for usage.\n", program_name.c_str(),
               static_cast<int>(message.size()), message.data(), program_name.c_str());
  std::exit(2);
}

std::string UserPath(const std::string& path) {
  const char* typed_in = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || typed_in == nullptr) return path;
  return absl::StrCat(typed_in, "/", path);
}

}  // namespace mp::cli
