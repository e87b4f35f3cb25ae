// SharedArray<T> and RawSharedArray<T>: a fixed-length array of T in shared memory, like
// Python's multiprocessing.Array and RawArray. T is trivially copyable (numbers, enums,
// plain structs): its bytes mean the same in every process, with no pointers inside.
//
//   absl::StatusOr<mp::SharedArray<double>> totals = mp::SharedArray<double>::Create(8);
//   // in any process that has it (forked, or Attach(totals->name())):
//   absl::Status status = totals->Update([&](std::span<double> all) { all[worker] += x; });
//   absl::StatusOr<std::vector<double>> snapshot = totals->Load();
//
// SharedArray carries a robust lock (see lock.h): Load(), Store() and Update() hold it, so
// a read-modify-write inside Update() is never lost to another process's. For longer
// critical sections, Acquire() the lock and use unsynchronized() while the guard lives.
//
// RawSharedArray has no lock: it is plain memory, as fast as memory, and every access
// that another process may make at the same time is a data race. Use it for data that is
// written before the readers start, or per-process slots that nobody else touches, or
// with std::atomic_ref.
//
// Sharing: as for Lock (fork inherits; otherwise Attach(name) before the creator's array
// is destroyed). Attach() checks the element size and length, not the type itself.

#ifndef MP_IPC_SHARED_ARRAY_H_
#define MP_IPC_SHARED_ARRAY_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipc/internal/robust_mutex.h"
#include "ipc/internal/shared_state.h"
#include "ipc/lock.h"

namespace mp {
namespace internal {

struct SharedArrayState {
  static constexpr uint32_t kKind = 6;
  static constexpr char kTypeName[] = "SharedArray";
  RobustMutex mutex;
  bool has_lock = false;
  uint64_t element_size = 0;
  uint64_t length = 0;
};

// The segment behind both kinds of array: the state, then `length` elements of T.
template <typename T>
class ArrayStorage {
  static_assert(std::is_trivially_copyable_v<T>,
                "shared arrays hold trivially copyable types: their bytes are their value");
  static_assert(alignof(T) <= kStateOffset);

 public:
  static absl::StatusOr<ArrayStorage> Create(size_t length, bool has_lock) {
    if (length == 0) return absl::InvalidArgumentError("a shared array needs length >= 1");
    absl::StatusOr<SharedState<SharedArrayState>> state = SharedState<SharedArrayState>::Create(
        length * sizeof(T), [&](SharedArrayState& state) {
          state.has_lock = has_lock;
          state.element_size = sizeof(T);
          state.length = length;
          return has_lock ? state.mutex.Init(/*recursive=*/false) : absl::OkStatus();
        });
    if (!state.ok()) return state.status();
    ArrayStorage storage(*std::move(state), length);
    for (T& element : storage.elements()) new (&element) T();
    return storage;
  }

  static absl::StatusOr<ArrayStorage> Attach(const std::string& name, bool has_lock) {
    absl::StatusOr<SharedState<SharedArrayState>> state =
        SharedState<SharedArrayState>::Attach(name);
    if (!state.ok()) return state.status();
    const SharedArrayState& header = **state;
    const uint64_t length = header.length;  // read once: from here on, ours is the truth
    if (header.has_lock != has_lock || header.element_size != sizeof(T) ||
        length > state->extra_size() / sizeof(T)) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, " holds ", header.has_lock ? "a locked" : "a raw", " array of ", length,
          " elements of ", header.element_size, " bytes, not what was asked for"));
    }
    return ArrayStorage(*std::move(state), static_cast<size_t>(length));
  }

  std::span<T> elements() const { return {reinterpret_cast<T*>(state_.extra()), length_}; }
  RobustMutex& mutex() const { return state_->mutex; }
  const std::string& name() const { return state_.name(); }

 private:
  ArrayStorage(SharedState<SharedArrayState> state, size_t length)
      : state_(std::move(state)), length_(length) {}
  SharedState<SharedArrayState> state_;
  // From Create(), or checked once by Attach(): never read again from the shared state,
  // which any process mapping it could overwrite.
  size_t length_;
};

}  // namespace internal

template <typename T>
class SharedArray {
 public:
  // `length` (>= 1) value-initialized elements. InvalidArgument for length 0.
  //
  // `lock` (Python's Array(..., lock=some_lock)): guard the array with this Lock instead
  // of its own, so that one lock covers several arrays or values and an update of both
  // is one critical section. Every process's handle must be given the same lock (a
  // forked child inherits it; pass it to Attach() elsewhere).
  static absl::StatusOr<SharedArray> Create(size_t length, std::shared_ptr<Lock> lock = nullptr) {
    absl::StatusOr<internal::ArrayStorage<T>> storage =
        internal::ArrayStorage<T>::Create(length, /*has_lock=*/true);
    if (!storage.ok()) return storage.status();
    return SharedArray(*std::move(storage), std::move(lock));
  }
  // InvalidArgument if `name` is not a locked array of this element size.
  static absl::StatusOr<SharedArray> Attach(const std::string& name,
                                            std::shared_ptr<Lock> lock = nullptr) {
    absl::StatusOr<internal::ArrayStorage<T>> storage =
        internal::ArrayStorage<T>::Attach(name, /*has_lock=*/true);
    if (!storage.ok()) return storage.status();
    return SharedArray(*std::move(storage), std::move(lock));
  }

  size_t size() const { return storage_.elements().size(); }

  // A copy of all elements, taken under the lock.
  absl::StatusOr<std::vector<T>> Load() const {
    absl::StatusOr<LockGuard> held = Acquire();
    if (!held.ok()) return held.status();
    std::span<T> all = storage_.elements();
    return std::vector<T>(all.begin(), all.end());
  }

  // Replaces all elements under the lock. InvalidArgument if the sizes differ.
  absl::Status Store(std::span<const T> values) {
    if (values.size() != size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Store(): ", values.size(), " values for an array of ", size()));
    }
    return Update([&](std::span<T> all) { std::copy(values.begin(), values.end(), all.begin()); });
  }

  // Runs `update(std::span<T>)` holding the lock.
  template <typename Function>
  absl::Status Update(Function&& update) {
    absl::StatusOr<LockGuard> held = Acquire();
    if (!held.ok()) return held.status();
    std::forward<Function>(update)(storage_.elements());
    return absl::OkStatus();
  }

  // The array's lock (the caller's, if Create() was given one), for longer critical
  // sections over unsynchronized().
  absl::StatusOr<LockGuard> Acquire(absl::Duration timeout = absl::InfiniteDuration()) const {
    if (lock_ != nullptr) return lock_->Acquire(timeout);
    return internal::AcquireGuard(storage_.mutex(), timeout);
  }
  // The elements, without the lock: only while holding a guard from Acquire().
  std::span<T> unsynchronized() const { return storage_.elements(); }

  const std::string& name() const { return storage_.name(); }

 private:
  SharedArray(internal::ArrayStorage<T> storage, std::shared_ptr<Lock> lock)
      : storage_(std::move(storage)), lock_(std::move(lock)) {}
  internal::ArrayStorage<T> storage_;
  std::shared_ptr<Lock> lock_;  // the caller's, or null for the array's own
};

template <typename T>
class RawSharedArray {
 public:
  static absl::StatusOr<RawSharedArray> Create(size_t length) {
    absl::StatusOr<internal::ArrayStorage<T>> storage =
        internal::ArrayStorage<T>::Create(length, /*has_lock=*/false);
    if (!storage.ok()) return storage.status();
    return RawSharedArray(*std::move(storage));
  }
  static absl::StatusOr<RawSharedArray> Attach(const std::string& name) {
    absl::StatusOr<internal::ArrayStorage<T>> storage =
        internal::ArrayStorage<T>::Attach(name, /*has_lock=*/false);
    if (!storage.ok()) return storage.status();
    return RawSharedArray(*std::move(storage));
  }

  size_t size() const { return storage_.elements().size(); }
  T& operator[](size_t index) const { return storage_.elements()[index]; }
  std::span<T> span() const { return storage_.elements(); }
  const std::string& name() const { return storage_.name(); }

 private:
  explicit RawSharedArray(internal::ArrayStorage<T> storage) : storage_(std::move(storage)) {}
  internal::ArrayStorage<T> storage_;
};

}  // namespace mp

#endif  // MP_IPC_SHARED_ARRAY_H_
