// SharedState<State>: one State object (plus optional trailing bytes) in a SharedMemory
// segment of its own. Every cross-process object in ipc/ (locks, events, queues, shared
// values) is a handle around one of these.
//
// The segment starts with a header naming the kind of object it holds, so attaching a
// Lock's name as a Queue fails with InvalidArgument instead of misreading the bytes.

#ifndef MP_IPC_INTERNAL_SHARED_STATE_H_
#define MP_IPC_INTERNAL_SHARED_STATE_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipc/shared_memory.h"

namespace mp::internal {

struct SharedStateHeader {
  uint32_t magic;
  uint32_t kind;
};

inline constexpr uint32_t kSharedStateMagic = 0x6d704950;  // "mpIP"
// Cache-line aligned, so that a State's hot fields do not share a line with the header.
inline constexpr size_t kStateOffset = 64;

// State: a type that zero-filled memory plus its default constructor make valid, with
// `static constexpr uint32_t kKind` (unique per type) and `static constexpr char kTypeName[]`.
template <typename State>
class SharedState {
  static_assert(alignof(State) <= kStateOffset);

 public:
  // Creates the segment, constructs State, then lets `init` finish it (e.g. initialize
  // a mutex) before anyone else can attach. `extra_bytes` follow the State.
  static absl::StatusOr<SharedState> Create(
      size_t extra_bytes, absl::FunctionRef<absl::Status(State&)> init) {
    absl::StatusOr<SharedMemory> memory =
        SharedMemory::Create(ExtraOffset() + extra_bytes);
    if (!memory.ok()) return memory.status();
    auto* header = static_cast<SharedStateHeader*>(memory->data());
    header->magic = kSharedStateMagic;
    header->kind = State::kKind;
    State* state = new (static_cast<char*>(memory->data()) + kStateOffset) State();
    if (absl::Status status = init(*state); !status.ok()) return status;
    return SharedState(*std::move(memory));
  }

  // Attaches to the segment `name` created by Create() for the same State.
  static absl::StatusOr<SharedState> Attach(const std::string& name) {
    absl::StatusOr<SharedMemory> memory = SharedMemory::Attach(name);
    if (!memory.ok()) return memory.status();
    const auto* header = static_cast<const SharedStateHeader*>(memory->data());
    if (memory->size() < ExtraOffset() || header->magic != kSharedStateMagic ||
        header->kind != State::kKind) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " does not hold a ", State::kTypeName));
    }
    return SharedState(*std::move(memory));
  }

  State* get() const {
    return reinterpret_cast<State*>(static_cast<char*>(memory_.data()) + kStateOffset);
  }
  State* operator->() const { return get(); }
  State& operator*() const { return *get(); }
  const std::string& name() const { return memory_.name(); }

  // The `extra_bytes` given to Create(), cache-line aligned.
  char* extra() const { return static_cast<char*>(memory_.data()) + ExtraOffset(); }
  size_t extra_size() const { return memory_.size() - ExtraOffset(); }

 private:
  explicit SharedState(SharedMemory memory) : memory_(std::move(memory)) {}

  static constexpr size_t ExtraOffset() {
    return kStateOffset + (sizeof(State) + kStateOffset - 1) / kStateOffset * kStateOffset;
  }

  SharedMemory memory_;
};

}  // namespace mp::internal

#endif  // MP_IPC_INTERNAL_SHARED_STATE_H_
