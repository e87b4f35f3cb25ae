#include "pool/trace/timeline_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "base/unique_fd.h"

namespace mp::trace {
namespace {

absl::Status FileError(const std::string& what, const std::string& path) {
  return absl::InvalidArgumentError(absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno),
                                                 " (check the path and its permissions)"));
}

}  // namespace

absl::Status StartPoolRecord(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("StartPoolRecord: give the record a file path");
  if (absl::Status emptied = WriteWholeFile(path, ""); !emptied.ok()) return emptied;
  return RecordPools(path);
}

absl::StatusOr<std::string> TimelineDirectory(const std::string& chosen, const std::string& default_name) {
  std::string dir = chosen;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/", default_name);
  }
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  return dir;
}

absl::StatusOr<std::vector<internal::PoolEvent>> ReadPoolRecordFile(const std::string& path) {
  absl::StatusOr<std::string> text = internal::ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return internal::ParsePoolRecord(*text);
}

absl::Status WriteWholeFile(const std::string& path, std::string_view text) {
  internal::UniqueFd file(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!file.valid()) return FileError("write", path);
  return internal::WriteAll(file.get(), text);
}

}  // namespace mp::trace
