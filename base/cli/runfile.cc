#include "base/cli/runfile.h"

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mp::cli {

std::string RlocationInThisRepository(const bazel::tools::cpp::runfiles::Runfiles& runfiles,
                                      std::string_view path_in_repository) {
  std::vector<std::string> names;
  if (const char* test_workspace = std::getenv("TEST_WORKSPACE"); test_workspace != nullptr) {
    names.emplace_back(test_workspace);
  }
  names.emplace_back("mp_course");  // WORKSPACE's name for it
  names.emplace_back("_main");      // Bzlmod's
  for (const std::string& name : names) {
    std::string path = runfiles.Rlocation(absl::StrCat(name, "/", std::string(path_in_repository)));
    if (!path.empty() && access(path.c_str(), F_OK) == 0) return path;
  }
  // Nothing there under any name: the first, for an error message that names a path.
  return runfiles.Rlocation(absl::StrCat(names.front(), "/", std::string(path_in_repository)));
}

absl::StatusOr<std::string> FindRunfile(const char* argv0, const std::string& path_in_repository) {
  using ::bazel::tools::cpp::runfiles::Runfiles;
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::Create(argv0, &error));
  if (runfiles == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot find this program's Bazel runfiles (", error,
                                            "), so not ", path_in_repository,
                                            ": start it with bazel run"));
  }
  return RlocationInThisRepository(*runfiles, path_in_repository);
}

}  // namespace mp::cli
