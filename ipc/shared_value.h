// SharedValue<T> and RawSharedValue<T>: one T in shared memory, like Python's
// multiprocessing.Value and RawValue. They are a SharedArray / RawSharedArray of length 1
// (see shared_array.h for the rules on T, locking and sharing).
//
//   absl::StatusOr<mp::SharedValue<int64_t>> hits = mp::SharedValue<int64_t>::Create(0);
//   mp::Process worker([&] { return hits->Update([](int64_t& n) { ++n; }).ok() ? 0 : 1; });
//   ...
//   absl::StatusOr<int64_t> total = hits->Load();
//
// `hits->Store(hits->Load() + 1)` would lose updates: two processes can both load 5 and
// both store 6. Update() does the whole read-modify-write under the lock.

#ifndef MP_IPC_SHARED_VALUE_H_
#define MP_IPC_SHARED_VALUE_H_

#include <span>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/lock.h"
#include "ipc/shared_array.h"

namespace mp {

template <typename T>
class SharedValue {
 public:
  // `lock`: as SharedArray::Create's (Python's Value(..., lock=some_lock)).
  static absl::StatusOr<SharedValue> Create(const T& initial = T(),
                                            std::shared_ptr<Lock> lock = nullptr) {
    absl::StatusOr<SharedArray<T>> array = SharedArray<T>::Create(1, std::move(lock));
    if (!array.ok()) return array.status();
    array->unsynchronized()[0] = initial;  // nobody else can see it yet
    return SharedValue(*std::move(array));
  }
  static absl::StatusOr<SharedValue> Attach(const std::string& name,
                                            std::shared_ptr<Lock> lock = nullptr) {
    absl::StatusOr<SharedArray<T>> array = SharedArray<T>::Attach(name, std::move(lock));
    if (!array.ok()) return array.status();
    if (array->size() != 1) return absl::InvalidArgumentError(name + " is an array, not a value");
    return SharedValue(*std::move(array));
  }

  absl::StatusOr<T> Load() const {
    absl::StatusOr<LockGuard> held = array_.Acquire();
    if (!held.ok()) return held.status();
    return array_.unsynchronized()[0];
  }
  absl::Status Store(const T& value) {
    return array_.Update([&](std::span<T> one) { one[0] = value; });
  }
  // Runs `update(T&)` holding the lock.
  template <typename Function>
  absl::Status Update(Function&& update) {
    return array_.Update([&](std::span<T> one) { std::forward<Function>(update)(one[0]); });
  }

  absl::StatusOr<LockGuard> Acquire(absl::Duration timeout = absl::InfiniteDuration()) const {
    return array_.Acquire(timeout);
  }
  // Only while holding a guard from Acquire().
  T& unsynchronized() const { return array_.unsynchronized()[0]; }

  const std::string& name() const { return array_.name(); }

 private:
  explicit SharedValue(SharedArray<T> array) : array_(std::move(array)) {}
  SharedArray<T> array_;
};

template <typename T>
class RawSharedValue {
 public:
  static absl::StatusOr<RawSharedValue> Create(const T& initial = T()) {
    absl::StatusOr<RawSharedArray<T>> array = RawSharedArray<T>::Create(1);
    if (!array.ok()) return array.status();
    (*array)[0] = initial;
    return RawSharedValue(*std::move(array));
  }
  static absl::StatusOr<RawSharedValue> Attach(const std::string& name) {
    absl::StatusOr<RawSharedArray<T>> array = RawSharedArray<T>::Attach(name);
    if (!array.ok()) return array.status();
    if (array->size() != 1) return absl::InvalidArgumentError(name + " is an array, not a value");
    return RawSharedValue(*std::move(array));
  }

  T& operator*() const { return array_[0]; }
  T* operator->() const { return &array_[0]; }
  T* get() const { return &array_[0]; }
  const std::string& name() const { return array_.name(); }

 private:
  explicit RawSharedValue(RawSharedArray<T> array) : array_(std::move(array)) {}
  RawSharedArray<T> array_;
};

}  // namespace mp

#endif  // MP_IPC_SHARED_VALUE_H_
