#include "ipc/shared_memory.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "process/internal/unique_fd.h"

namespace mp {
namespace {

constexpr char kShmDirectory[] = "/dev/shm";
constexpr char kNamePrefix[] = "mp-";

// When `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat), so that
// a pid reused by a newer process is not mistaken for the segment's owner.
std::optional<uint64_t> ProcessStartTime(pid_t pid) {
  std::ifstream stat_file(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The command name (field 2) is in parentheses and may hold spaces: skip past it.
  size_t end_of_name = stat.rfind(')');
  if (end_of_name == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(end_of_name + 1));
  std::string field;
  for (int number = 3; number <= 22 && fields >> field; ++number) {
    uint64_t start_time = 0;
    if (number == 22 && absl::SimpleAtoi(field, &start_time)) return start_time;
  }
  return std::nullopt;
}

struct ParsedName {
  pid_t owner_pid = -1;
  uint64_t owner_start_time = 0;
};

// Parses "mp-<pid>-<start time>-<32 hex digits>" (no leading '/').
std::optional<ParsedName> ParseSegmentName(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '-');
  ParsedName parsed;
  if (parts.size() != 4 || parts[0] != "mp" || parts[3].size() != 32 ||
      !absl::SimpleAtoi(parts[1], &parsed.owner_pid) || parsed.owner_pid <= 0 ||
      !absl::SimpleAtoi(parts[2], &parsed.owner_start_time)) {
    return std::nullopt;
  }
  return parsed;
}

absl::StatusOr<std::string> NewSegmentName() {
  uint8_t random[16];
  size_t filled = 0;
  while (filled < sizeof(random)) {
    ssize_t got = getrandom(random + filled, sizeof(random) - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return absl::ErrnoToStatus(errno, "getrandom");
    filled += static_cast<size_t>(got);
  }
  // Read once per process (a forked child is a new process, with a new start time).
  thread_local pid_t cached_pid = -1;
  thread_local std::optional<uint64_t> start_time;
  if (cached_pid != getpid()) {
    start_time = ProcessStartTime(getpid());
    cached_pid = getpid();
  }
  if (!start_time) return absl::InternalError("cannot read this process's start time from /proc");
  std::string name = absl::StrCat("/", kNamePrefix, getpid(), "-", *start_time, "-");
  for (uint8_t byte : random) {
    char hex[3];
    std::snprintf(hex, sizeof(hex), "%02x", byte);
    name += hex;
  }
  return name;
}

absl::Status ShmError(int error, const std::string& what) {
  if (error == ENOSPC || error == ENOMEM || error == EFBIG) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, ": not enough shared memory (/dev/shm is full or limited); free some or ask "
              "for less"));
  }
  return absl::ErrnoToStatus(error, what);
}

// Maps all of `fd`, read-write and shared.
absl::StatusOr<void*> MapShared(int fd, size_t size, const std::string& name) {
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) return ShmError(errno, "mmap " + name);
  return data;
}

}  // namespace

absl::StatusOr<SharedMemory> SharedMemory::Create(size_t size) {
  if (size == 0) return absl::InvalidArgumentError("SharedMemory::Create(): size must be > 0");
  static std::once_flag cleaned_up;
  std::call_once(cleaned_up, [] { (void)CleanUpAbandonedSharedMemory(); });

  absl::StatusOr<std::string> name = NewSegmentName();
  if (!name.ok()) return name.status();
  // O_EXCL: never adopt a segment someone else made under this name.
  internal::UniqueFd fd(shm_open(name->c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return ShmError(errno, "shm_open " + *name);
  // From here on a failure must not leave the name behind.
  auto fail = [&](absl::Status status) {
    shm_unlink(name->c_str());
    return status;
  };
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return fail(ShmError(errno, "ftruncate " + *name));
  }
  // Reserve the pages now: on a full /dev/shm this fails here, with a status, instead of
  // raising SIGBUS at some later write into the mapping.
  if (int error = posix_fallocate(fd.get(), 0, static_cast<off_t>(size)); error != 0) {
    return fail(ShmError(error, "posix_fallocate " + *name));
  }
  absl::StatusOr<void*> data = MapShared(fd.get(), size, *name);
  if (!data.ok()) return fail(data.status());
  return SharedMemory(*std::move(name), *data, size, getpid());
}

absl::StatusOr<SharedMemory> SharedMemory::Attach(const std::string& name) {
  if (name.empty() || name[0] != '/' || !ParseSegmentName(name.substr(1))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SharedMemory::Attach(): \"", name, "\" is not a segment name from SharedMemory::name()"));
  }
  internal::UniqueFd fd(shm_open(name.c_str(), O_RDWR | O_CLOEXEC, 0));
  if (!fd.valid()) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(
          "shared memory ", name, " does not exist: its owner has unlinked it or exited"));
    }
    return absl::ErrnoToStatus(errno, "shm_open " + name);
  }
  struct stat info;
  if (fstat(fd.get(), &info) != 0) return absl::ErrnoToStatus(errno, "fstat " + name);
  if (info.st_size == 0) {
    return absl::FailedPreconditionError(absl::StrCat("shared memory ", name, " is empty"));
  }
  size_t size = static_cast<size_t>(info.st_size);
  absl::StatusOr<void*> data = MapShared(fd.get(), size, name);
  if (!data.ok()) return data.status();
  return SharedMemory(name, *data, size, /*owner_pid=*/-1);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : name_(std::move(other.name_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      owner_pid_(std::exchange(other.owner_pid_, -1)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    Reset();
    name_ = std::move(other.name_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    owner_pid_ = std::exchange(other.owner_pid_, -1);
  }
  return *this;
}

SharedMemory::~SharedMemory() { Reset(); }

void SharedMemory::Reset() {
  if (data_ != nullptr) munmap(data_, size_);
  data_ = nullptr;
  (void)Unlink();
}

bool SharedMemory::is_owner() const { return owner_pid_ == getpid(); }

absl::Status SharedMemory::Unlink() {
  if (owner_pid_ == -1) return absl::OkStatus();  // attached, or already unlinked
  if (!is_owner()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "SharedMemory::Unlink(): only the process that created ", name_, " may unlink it"));
  }
  owner_pid_ = -1;
  if (shm_unlink(name_.c_str()) != 0 && errno != ENOENT) {
    return absl::ErrnoToStatus(errno, "shm_unlink " + name_);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListOurSharedMemory() {
  DIR* directory = opendir(kShmDirectory);
  if (directory == nullptr) return absl::ErrnoToStatus(errno, "opendir /dev/shm");
  std::vector<std::string> names;
  while (dirent* entry = readdir(directory)) {
    std::string name = entry->d_name;
    if (ParseSegmentName(name)) names.push_back(name);
  }
  closedir(directory);
  return names;
}

bool OwnerIsAlive(const std::string& segment_name) {
  std::optional<ParsedName> parsed = ParseSegmentName(segment_name);
  if (!parsed) return false;
  return ProcessStartTime(parsed->owner_pid) == parsed->owner_start_time;
}

absl::StatusOr<int> CleanUpAbandonedSharedMemory() {
  absl::StatusOr<std::vector<std::string>> names = ListOurSharedMemory();
  if (!names.ok()) return names.status();
  int removed = 0;
  for (const std::string& name : *names) {
    if (OwnerIsAlive(name)) continue;
    if (shm_unlink(("/" + name).c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace mp
