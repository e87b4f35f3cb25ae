#include "ipc/shared_memory.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/random_hex.h"
#include "base/unique_fd.h"

namespace mp {
namespace {

constexpr size_t kTagHexDigits = 32;  // 128 random bits

struct ParsedName {
  pid_t owner_pid = -1;
  int owner_fd = -1;
  std::string tag;
};

// Parses "/mp-<pid>-<descriptor>-<32 hex digits>".
std::optional<ParsedName> ParseSegmentName(const std::string& name) {
  if (name.empty() || name[0] != '/') return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(name.substr(1), '-');
  ParsedName parsed;
  if (parts.size() != 4 || parts[0] != "mp" || parts[3].size() != kTagHexDigits ||
      parts[3].find_first_not_of("0123456789abcdef") != std::string::npos ||
      !absl::SimpleAtoi(parts[1], &parsed.owner_pid) || parsed.owner_pid <= 0 ||
      !absl::SimpleAtoi(parts[2], &parsed.owner_fd) || parsed.owner_fd < 0) {
    return std::nullopt;
  }
  parsed.tag = parts[3];
  return parsed;
}

// The memfd's own name, which /proc shows as the target of its descriptors and mappings
// ("/memfd:mp-<owner pid>-<tag> (deleted)"): it ties a descriptor to one segment.
std::string MemfdName(pid_t owner_pid, const std::string& tag) {
  return absl::StrCat("mp-", owner_pid, "-", tag);
}
std::string MemfdLinkTarget(pid_t owner_pid, const std::string& tag) {
  return absl::StrCat("/memfd:", MemfdName(owner_pid, tag), " (deleted)");
}

std::optional<std::string> ReadLink(const std::string& path) {
  char target[PATH_MAX];
  ssize_t length = readlink(path.c_str(), target, sizeof(target));
  if (length < 0) return std::nullopt;
  return std::string(target, static_cast<size_t>(length));
}

absl::Status ShmError(int error, const std::string& what) {
  if (error == ENOSPC || error == ENOMEM || error == EFBIG) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, ": not enough shared memory (/dev/shm is full or limited); free some or ask "
              "for less"));
  }
  if (error == EMFILE || error == ENFILE) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, ": out of descriptors (each live segment holds one in its owner); destroy "
              "segments you no longer need or raise `ulimit -n`"));
  }
  return absl::ErrnoToStatus(error, what);
}

// How much shared memory the machine lets us have: what /dev/shm may still hold (the
// limit an administrator sets for shared memory), or all of RAM where there is none.
// memfd memory has no limit of its own, so without this a huge request would push the
// machine into swap or the OOM killer instead of failing.
size_t SharedMemoryBudget() {
  struct statvfs shm;
  if (statvfs("/dev/shm", &shm) == 0) return static_cast<size_t>(shm.f_bavail) * shm.f_frsize;
  struct sysinfo machine;
  if (sysinfo(&machine) == 0) return static_cast<size_t>(machine.totalram) * machine.mem_unit;
  return SIZE_MAX;
}

// Maps all of `fd`, read-write and shared.
absl::StatusOr<void*> MapShared(int fd, size_t size, const std::string& name) {
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) return ShmError(errno, "mmap " + name);
  return data;
}

// The numbers of the process directories in /proc.
std::vector<pid_t> AllPids() {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* entry = readdir(proc)) {
    pid_t pid = 0;
    if (absl::SimpleAtoi(entry->d_name, &pid) && pid > 0) pids.push_back(pid);
  }
  closedir(proc);
  return pids;
}

// The targets of process `pid`'s descriptors, by descriptor number.
std::vector<std::pair<int, std::string>> DescriptorTargets(pid_t pid) {
  std::vector<std::pair<int, std::string>> targets;
  const std::string directory = absl::StrCat("/proc/", pid, "/fd");
  DIR* fds = opendir(directory.c_str());
  if (fds == nullptr) return targets;
  while (dirent* entry = readdir(fds)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd)) continue;
    std::optional<std::string> target = ReadLink(absl::StrCat(directory, "/", fd));
    if (target) targets.emplace_back(fd, *target);
  }
  closedir(fds);
  return targets;
}

// Whether /proc/<pid>/maps mentions `marker`. A process that ends while its maps are
// read (the read fails with ESRCH) maps nothing any more: false, not an error. (An
// std::ifstream read through its buffer threw here instead.)
bool MapsMention(pid_t pid, std::string_view marker) {
  absl::StatusOr<std::string> maps = internal::ReadWholeFile(absl::StrCat("/proc/", pid, "/maps"));
  return maps.ok() && maps->find(marker) != std::string::npos;
}

}  // namespace

absl::StatusOr<SharedMemory> SharedMemory::Create(size_t size) {
  if (size == 0) return absl::InvalidArgumentError("SharedMemory::Create(): size must be > 0");
  if (size > SharedMemoryBudget()) {
    return ShmError(ENOSPC, absl::StrCat("SharedMemory::Create(", size, ")"));
  }
  absl::StatusOr<std::string> tag = internal::RandomHex(kTagHexDigits / 2);
  if (!tag.ok()) return tag.status();
  const std::string memfd_name = MemfdName(getpid(), *tag);
  internal::UniqueFd fd(memfd_create(memfd_name.c_str(), MFD_CLOEXEC));
  if (!fd.valid()) return ShmError(errno, "memfd_create " + memfd_name);
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return ShmError(errno, "ftruncate " + memfd_name);
  }
  // Reserve the pages now: when memory is short this fails here, with a status, instead
  // of raising SIGBUS at some later write into the mapping.
  if (int error = posix_fallocate(fd.get(), 0, static_cast<off_t>(size)); error != 0) {
    return ShmError(error, "posix_fallocate " + memfd_name);
  }
  absl::StatusOr<void*> data = MapShared(fd.get(), size, memfd_name);
  if (!data.ok()) return data.status();
  std::string name = absl::StrCat("/mp-", getpid(), "-", fd.get(), "-", *tag);
  return SharedMemory(std::move(name), *data, size, getpid(), fd.Release());
}

absl::StatusOr<SharedMemory> SharedMemory::Attach(const std::string& name) {
  std::optional<ParsedName> parsed = ParseSegmentName(name);
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SharedMemory::Attach(): \"", name, "\" is not a segment name from SharedMemory::name()"));
  }
  const absl::Status gone = absl::NotFoundError(absl::StrCat(
      "shared memory ", name, " does not exist: its owner has unlinked it or exited"));
  // Look before opening, so that a wrong name never opens some other file of the owner's
  // (a device, a FIFO); then check again what was opened, in case the descriptor changed
  // in between.
  const std::string owner_descriptor =
      absl::StrCat("/proc/", parsed->owner_pid, "/fd/", parsed->owner_fd);
  const std::string expected = MemfdLinkTarget(parsed->owner_pid, parsed->tag);
  std::optional<std::string> target = ReadLink(owner_descriptor);
  if (!target && (errno == EACCES || errno == EPERM)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "shared memory ", name, " belongs to a process of another user"));
  }
  if (target != expected) return gone;
  internal::UniqueFd fd(open(owner_descriptor.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ESRCH) return gone;
    if (errno == EACCES || errno == EPERM) {
      return absl::PermissionDeniedError(absl::StrCat(
          "shared memory ", name, " belongs to a process of another user"));
    }
    return absl::ErrnoToStatus(errno, "open the owner's descriptor of " + name);
  }
  if (ReadLink(absl::StrCat("/proc/self/fd/", fd.get())) != expected) return gone;
  struct stat info;
  if (fstat(fd.get(), &info) != 0) return absl::ErrnoToStatus(errno, "fstat " + name);
  if (info.st_size == 0) {
    return absl::FailedPreconditionError(absl::StrCat("shared memory ", name, " is empty"));
  }
  size_t size = static_cast<size_t>(info.st_size);
  absl::StatusOr<void*> data = MapShared(fd.get(), size, name);
  if (!data.ok()) return data.status();
  return SharedMemory(name, *data, size, /*owner_pid=*/-1, /*owner_fd=*/-1);
}

SharedMemory::SharedMemory(SharedMemory&& other) noexcept
    : name_(std::move(other.name_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      owner_pid_(std::exchange(other.owner_pid_, -1)),
      owner_fd_(std::exchange(other.owner_fd_, -1)) {}

SharedMemory& SharedMemory::operator=(SharedMemory&& other) noexcept {
  if (this != &other) {
    Reset();
    name_ = std::move(other.name_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    owner_pid_ = std::exchange(other.owner_pid_, -1);
    owner_fd_ = std::exchange(other.owner_fd_, -1);
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
  // A forked child's copy must not close: the number is the parent's, and the child may
  // have closed its inherited copy and reused the number for something else.
  if (!is_owner()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "SharedMemory::Unlink(): only the process that created ", name_, " may unlink it"));
  }
  owner_pid_ = -1;
  close(std::exchange(owner_fd_, -1));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SegmentsOwnedBy(pid_t pid) {
  if (access(absl::StrCat("/proc/", pid, "/fd").c_str(), R_OK) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot read /proc/", pid, "/fd"));
  }
  const std::string prefix = absl::StrCat("/memfd:mp-", pid, "-");
  std::vector<std::string> names;
  for (const auto& [fd, target] : DescriptorTargets(pid)) {
    if (!absl::StartsWith(target, prefix) || !absl::EndsWith(target, " (deleted)")) continue;
    std::string tag = target.substr(prefix.size(), kTagHexDigits);
    names.push_back(absl::StrCat("/mp-", pid, "-", fd, "-", tag));
  }
  return names;
}

std::vector<pid_t> ProcessesHoldingSegmentsOf(pid_t owner) {
  const std::string marker = absl::StrCat("/memfd:mp-", owner, "-");
  std::vector<pid_t> holders;
  for (pid_t pid : AllPids()) {
    bool holds = false;
    for (const auto& [fd, target] : DescriptorTargets(pid)) {
      holds = holds || absl::StartsWith(target, marker);
    }
    if (holds || MapsMention(pid, marker)) holders.push_back(pid);
  }
  return holders;
}

}  // namespace mp
