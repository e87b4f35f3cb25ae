// A tiny codec for the arguments of a task started with the spawn or forkserver start
// method: they have to travel to another process as bytes. It handles what a lesson
// needs: numbers, enums, bool, std::string and std::vector of any of these
// (except std::vector<bool>). (The
// general codec lives in ipc/, a layer above this one.)
//
// The format is private to one binary talking to itself: integers and floats are
// copied as they lie in memory, strings and vectors are preceded by their size.

#ifndef MP_PROCESS_INTERNAL_ARG_CODEC_H_
#define MP_PROCESS_INTERNAL_ARG_CODEC_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace mp::internal {

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

// Whether values of type T can be encoded.
template <typename T>
constexpr bool IsEncodable() {
  if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) return true;
  else if constexpr (std::is_same_v<T, std::string>) return true;
  else if constexpr (std::is_same_v<T, std::vector<bool>>) return false;  // bit-packed
  else if constexpr (IsVector<T>::value) return IsEncodable<typename T::value_type>();
  else return false;
}

template <typename T>
void Encode(const T& value, std::string& out) {
  static_assert(IsEncodable<T>(), "this type cannot be sent to another process");
  if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    Encode(static_cast<uint64_t>(value.size()), out);
    out.append(value);
  } else {
    Encode(static_cast<uint64_t>(value.size()), out);
    for (const auto& element : value) Encode(element, out);
  }
}

// Reads one T from the front of `in` and removes it. False if `in` is too short.
template <typename T>
bool Decode(std::string_view& in, T& value) {
  if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
    if (in.size() < sizeof value) return false;
    std::memcpy(&value, in.data(), sizeof value);
    in.remove_prefix(sizeof value);
    return true;
  } else {
    uint64_t size = 0;
    if (!Decode(in, size)) return false;
    if constexpr (std::is_same_v<T, std::string>) {
      if (in.size() < size) return false;
      value.assign(in.data(), size);
      in.remove_prefix(size);
    } else {
      // Every element takes at least one byte, which bounds a corrupt size.
      if (in.size() < size) return false;
      value.resize(size);
      for (auto& element : value) {
        if (!Decode(in, element)) return false;
      }
    }
    return true;
  }
}

template <typename... Ts>
std::string EncodeAll(const Ts&... values) {
  std::string out;
  (Encode(values, out), ...);
  return out;
}

// Decodes a whole tuple; false unless `in` holds exactly that.
template <typename... Ts>
bool DecodeAll(std::string_view in, std::tuple<Ts...>& values) {
  const bool all_decoded =
      std::apply([&in](Ts&... each) { return (Decode(in, each) && ...); }, values);
  return all_decoded && in.empty();
}

}  // namespace mp::internal

#endif  // MP_PROCESS_INTERNAL_ARG_CODEC_H_
