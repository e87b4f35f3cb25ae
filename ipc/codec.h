// mp::Encode / mp::Decode: values to bytes and back, to send through a Pipe or a
// Queue, or to place in shared memory.
//
//   std::map<std::string, int> stock = {{"apples", 3}};
//   std::string bytes = mp::Encode(stock);
//   absl::StatusOr<std::map<std::string, int>> copy =
//       mp::Decode<std::map<std::string, int>>(bytes);
//
// Encodable: trivially copyable types (numbers, enums, plain structs), std::string,
// std::vector / std::map / std::unordered_map / std::pair of encodable types, and
// protobuf messages (anything derived from google::protobuf::MessageLite), also
// inside those containers. The rules and the format are in
// base/arg_codec.h, which the spawn start method shares.
//
// Errors: Decode() returns DataLoss for bytes that end early or contradict themselves,
// and InvalidArgument when bytes are left over after a whole T. It never reads outside
// `bytes`, and a corrupt count cannot make it allocate more than a small multiple of
// the input (codec_test feeds it garbage under ASan).
//
// The format is for one program talking to itself (or to copies of itself): it
// assumes the same byte order and struct layout on both sides. Use protobuf messages
// for anything that crosses machines or versions.

#ifndef MP_IPC_CODEC_H_
#define MP_IPC_CODEC_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/arg_codec.h"
#include "google/protobuf/message_lite.h"

namespace mp {
namespace internal {

// Protobuf messages travel as their serialized bytes, preceded by their length.
template <typename T>
  requires std::is_base_of_v<google::protobuf::MessageLite, T>
struct CodecFor<T> {
  static void Encode(const T& message, std::string& out) {
    internal::Encode(message.SerializeAsString(), out);
  }
  static bool Decode(std::string_view& in, T& message) {
    std::string bytes;
    return internal::Decode(in, bytes) && message.ParseFromString(bytes);
  }
};

}  // namespace internal

template <typename T>
std::string Encode(const T& value) {
  static_assert(internal::IsEncodable<T>(),
                "mp::Encode: this type is not encodable (see ipc/codec.h)");
  std::string bytes;
  internal::Encode(value, bytes);
  return bytes;
}

template <typename T>
absl::StatusOr<T> Decode(std::string_view bytes) {
  static_assert(internal::IsEncodable<T>(),
                "mp::Decode: this type is not encodable (see ipc/codec.h)");
  T value{};
  if (!internal::Decode(bytes, value)) {
    return absl::DataLossError("the bytes end early or contradict themselves: not a whole value");
  }
  if (!bytes.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(bytes.size(), " bytes are left over after a whole value: wrong type?"));
  }
  return value;
}

}  // namespace mp

#endif  // MP_IPC_CODEC_H_
