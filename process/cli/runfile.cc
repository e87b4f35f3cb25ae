#include "process/cli/runfile.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace mp::cli {

absl::StatusOr<std::string> FindRunfile(const char* argv0, const std::string& path_in_repository) {
  using ::bazel::tools::cpp::runfiles::Runfiles;
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::Create(argv0, &error));
  if (runfiles == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot find this program's Bazel runfiles (", error,
                                            "), so not ", path_in_repository,
                                            ": start it with bazel run"));
  }
  return runfiles->Rlocation("mp_course/" + path_in_repository);
}

}  // namespace mp::cli
