// SharedMemory: a segment of memory that several processes map, so that what one writes
// the others read, with no copy and no syscall.
//
//   absl::StatusOr<mp::SharedMemory> shm = mp::SharedMemory::Create(4096);   // the owner
//   std::string name = shm->name();            // give this to another process, which does
//   absl::StatusOr<mp::SharedMemory> view = mp::SharedMemory::Attach(name);
//   static_cast<char*>(view->data())[0] = 'x';  // the owner's shm->data() sees it
//
// A forked child does not need the name: it inherits the mapping, at the same address.
//
// Nothing to leak: a segment is unnamed memory (memfd_create), not a file in /dev/shm.
// The kernel frees it when the last process that maps it or holds its descriptor is gone,
// however each one ended: exit, SIGTERM, SIGINT, SIGKILL, a crash. There is no cleanup to
// run after a crash because there is nothing left to clean (Python's multiprocessing
// names its segments and needs a resource-tracker process to unlink them).
//
// Names: the owner keeps the segment's descriptor open, and the name says where:
// "/mp-<owner pid>-<descriptor>-<128 random bits>". Attach() opens
// /proc/<owner pid>/fd/<descriptor> and checks that it reached a segment with those random
// bits, so a closed or reused descriptor, or a pid reused by a newer process, is NotFound
// rather than someone else's memory. The kernel lets only processes of the same user open
// another's /proc/<pid>/fd, so no other user can attach (PermissionDenied).
//
// Ownership: the process that Create()s a segment owns its name. Destroying its
// SharedMemory (or Unlink()) closes the descriptor: new Attach()es fail with NotFound,
// and mappings live on until each process unmaps (destroys its SharedMemory, or exits).
// The owner holds one descriptor per live segment (`ulimit -n` bounds how many it owns).
//
// Where attaching by name does not work: the kernel lets another process open
// /proc/<owner>/fd only if the owner is "dumpable" (not after prctl(PR_SET_DUMPABLE, 0),
// nor after it changed its user id), /proc is mounted without hidepid, and both are in
// the same pid namespace. Forked children need no name: they inherit the mapping.
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
  // ResourceExhausted if it is more than the machine's shared-memory budget (what
  // /dev/shm may still hold) or the memory cannot be reserved, or if this process is out
  // of descriptors.
  static absl::StatusOr<SharedMemory> Create(size_t size);

  // Maps the existing segment `name`, as returned by name(), without owning it.
  // NotFound if no such segment exists (its owner unlinked it or exited);
  // InvalidArgument if `name` is not one of ours; PermissionDenied if it belongs
  // to another user.
  static absl::StatusOr<SharedMemory> Attach(const std::string& name);

  SharedMemory(SharedMemory&& other) noexcept;
  SharedMemory& operator=(SharedMemory&& other) noexcept;
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  // Unmaps; the owner also gives up the name.
  ~SharedMemory();

  void* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& name() const { return name_; }

  // True in the process that created the segment (not in its forked children, whose
  // copy of this object does not own the name).
  bool is_owner() const;

  // Gives up the name now (closes the owner's descriptor), so no new process can attach;
  // mappings stay valid. FailedPrecondition unless is_owner(). Unlinking twice is fine.
  absl::Status Unlink();

 private:
  SharedMemory(std::string name, void* data, size_t size, pid_t owner_pid, int owner_fd)
      : name_(std::move(name)), data_(data), size_(size), owner_pid_(owner_pid),
        owner_fd_(owner_fd) {}
  void Reset();

  std::string name_;
  void* data_ = nullptr;
  size_t size_ = 0;
  pid_t owner_pid_ = -1;  // -1 when attached; unlinked names also set it to -1
  int owner_fd_ = -1;     // the descriptor the name points at, open in the owner only
};

// The names of the segments process `pid` owns and has not unlinked (as name() gives
// them), read from /proc/<pid>/fd. For tests and diagnostics.
absl::StatusOr<std::vector<std::string>> SegmentsOwnedBy(pid_t pid);

// The processes that still map, or hold a descriptor of, any segment created by process
// `owner`, read from /proc (processes of this user). Empty once the memory is freed. For
// tests and diagnostics.
std::vector<pid_t> ProcessesHoldingSegmentsOf(pid_t owner);

}  // namespace mp

#endif  // MP_IPC_SHARED_MEMORY_H_
