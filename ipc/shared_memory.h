// SharedMemory: a named POSIX shared-memory segment (shm_open + mmap) that several
// processes map, so that what one writes the others read, with no copy and no syscall.
//
//   absl::StatusOr<mp::SharedMemory> shm = mp::SharedMemory::Create(4096);   // the owner
//   std::string name = shm->name();            // give this to another process, which does
//   absl::StatusOr<mp::SharedMemory> view = mp::SharedMemory::Attach(name);
//   static_cast<char*>(view->data())[0] = 'x';  // the owner's shm->data() sees it
//
// A forked child does not need the name: it inherits the mapping, at the same address.
//
// Ownership: the process that Create()s a segment owns its name and unlinks it when its
// SharedMemory is destroyed (or on Unlink()). Mappings live on until each process unmaps
// (destroys its SharedMemory, or exits), so an unlinked segment stays usable by whoever
// had it mapped; only new Attach()es fail, with NotFound.
//
// Names are "/mp-<owner pid>-<owner start time>-<128 random bits>": a process cannot
// guess another's segment, and the segment is created with O_EXCL and mode 0600, so no
// other user can open it and nobody can plant one for us to pick up.
//
// A process that dies without unlinking (SIGKILL, a crash) leaves its segment behind in
// /dev/shm, holding memory until reboot. The owner pid and start time in the name say
// whether the owner is still alive; CleanUpAbandonedSharedMemory() unlinks the segments of
// owners that are gone, and the first Create() in every process runs it, so the next run
// of a program cleans up after the last one that was killed.
//
// Thread safety: a SharedMemory object is not synchronized, but the memory it maps is
// yours to synchronize (the locks in ipc/ can live inside it).

#ifndef MP_IPC_SHARED_MEMORY_H_
#define MP_IPC_SHARED_MEMORY_H_

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mp {

class SharedMemory {
 public:
  // A new zero-filled segment of `size` bytes (> 0), owned by this process.
  // ResourceExhausted if /dev/shm is full or its size limit is reached.
  static absl::StatusOr<SharedMemory> Create(size_t size);

  // Maps the existing segment `name`, as returned by name(), without owning it.
  // NotFound if no such segment exists (never created, or already unlinked);
  // InvalidArgument if `name` is not one of ours; PermissionDenied if it belongs
  // to another user.
  static absl::StatusOr<SharedMemory> Attach(const std::string& name);

  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  // Unmaps; the owner also unlinks the name.
  ~SharedMemory();

  void* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& name() const { return name_; }

  // True in the process that created the segment (not in its forked children, whose
  // copy of this object does not own the name).
  bool is_owner() const;

  // Removes the name now, so no new process can attach; mappings stay valid.
  // FailedPrecondition unless is_owner(). Unlinking twice is fine.
  absl::Status Unlink();

 private:
  SharedMemory(std::string name, void* data, size_t size, pid_t owner_pid)
      : name_(std::move(name)), data_(data), size_(size), owner_pid_(owner_pid) {}
  void Reset();

  std::string name_;
  void* data_ = nullptr;
  size_t size_ = 0;
  pid_t owner_pid_ = -1;  // -1 when attached; unlinked names also set it to -1
};

// Unlinks every segment of ours in /dev/shm whose owner process no longer exists.
// Returns how many it removed. Segments of live processes are never touched.
absl::StatusOr<int> CleanUpAbandonedSharedMemory();

// The names (without the leading '/') of our segments in /dev/shm, whoever owns them.
// For tests and diagnostics.
absl::StatusOr<std::vector<std::string>> ListOurSharedMemory();

// Whether the owner named in one of our segment names (from ListOurSharedMemory()) is
// still running. False for names that are not ours.
bool OwnerIsAlive(const std::string& segment_name);

}  // namespace mp

#endif  // MP_IPC_SHARED_MEMORY_H_
