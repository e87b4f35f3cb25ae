// The byte codec behind task arguments (spawn, forkserver) and mp::Encode/Decode
// (ipc/codec.h, which adds protobuf messages and a Status-returning API).
//
// Encodable types:
//   - trivially copyable types: numbers, enums, bool, and plain structs of those
//     (copied as they lie in memory; a pointer inside means nothing elsewhere);
//   - std::string;
//   - std::vector, std::map, std::unordered_map and std::pair of encodable types
//     (not std::vector<bool>, which packs bits);
//   - any T for which CodecFor<T> is specialized (below), e.g. protobuf messages.
//
// Format: private to one binary talking to itself (same byte order and layout):
// fixed-size values as in memory, strings and containers preceded by a uint64 count.
//
// Decoding never reads past its input: each read checks the bytes left, and a count
// is checked against the bytes left before anything is allocated for it.

#ifndef MP_BASE_ARG_CODEC_H_
#define MP_BASE_ARG_CODEC_H_

#include <concepts>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mp::internal {

// Specialize to make more types encodable:
//   template <> struct CodecFor<MyType> {
//     static void Encode(const MyType& value, std::string& out);
//     static bool Decode(std::string_view& in, MyType& value);  // consumes its bytes
//   };
template <typename T>
struct CodecFor;

template <typename T>
concept HasCodecFor = requires(const T& value, T& target, std::string& out,
                               std::string_view& in) {
  CodecFor<T>::Encode(value, out);
  { CodecFor<T>::Decode(in, target) } -> std::same_as<bool>;
};

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

template <typename T>
struct IsMap : std::false_type {};
template <typename K, typename V>
struct IsMap<std::map<K, V>> : std::true_type {};
template <typename K, typename V>
struct IsMap<std::unordered_map<K, V>> : std::true_type {};

template <typename T>
struct IsPair : std::false_type {};
template <typename A, typename B>
struct IsPair<std::pair<A, B>> : std::true_type {};

// Whether values of type T can be encoded.
template <typename T>
constexpr bool IsEncodable() {
  if constexpr (HasCodecFor<T>) return true;
  else if constexpr (std::is_same_v<T, std::vector<bool>>) return false;
  else if constexpr (std::is_same_v<T, std::string>) return true;
  else if constexpr (IsVector<T>::value) return IsEncodable<typename T::value_type>();
  else if constexpr (IsMap<T>::value) {
    return IsEncodable<typename T::key_type>() && IsEncodable<typename T::mapped_type>();
  } else if constexpr (IsPair<T>::value) {
    return IsEncodable<typename T::first_type>() && IsEncodable<typename T::second_type>();
  } else {
    return std::is_trivially_copyable_v<T> && !std::is_pointer_v<T>;
  }
}

// Whether a T is encoded as its bytes in memory, and nothing else: then an array of
// them is encoded as the array's bytes, which lets hot paths copy many at once.
template <typename T>
constexpr bool IsRawEncoded() {
  return !HasCodecFor<T> && !std::is_same_v<T, std::string> && !IsVector<T>::value &&
         !IsMap<T>::value && !IsPair<T>::value && std::is_trivially_copyable_v<T> &&
         !std::is_pointer_v<T>;
}

template <typename T>
void Encode(const T& value, std::string& out) {
  static_assert(IsEncodable<T>(), "this type cannot be sent to another process");
  if constexpr (HasCodecFor<T>) {
    CodecFor<T>::Encode(value, out);
  } else if constexpr (std::is_same_v<T, std::string>) {
    Encode(static_cast<uint64_t>(value.size()), out);
    out.append(value);
  } else if constexpr (IsVector<T>::value) {
    Encode(static_cast<uint64_t>(value.size()), out);
    for (const auto& element : value) Encode(element, out);
  } else if constexpr (IsMap<T>::value) {
    Encode(static_cast<uint64_t>(value.size()), out);
    for (const auto& [key, mapped] : value) {
      Encode(key, out);
      Encode(mapped, out);
    }
  } else if constexpr (IsPair<T>::value) {
    Encode(value.first, out);
    Encode(value.second, out);
  } else {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
}

// The fewest bytes an encoded T takes.
template <typename T>
constexpr size_t MinEncodedSize() {
  if constexpr (HasCodecFor<T>) return 1;
  else if constexpr (std::is_same_v<T, std::string> || IsVector<T>::value || IsMap<T>::value)
    return sizeof(uint64_t);
  else if constexpr (IsPair<T>::value)
    return MinEncodedSize<typename T::first_type>() + MinEncodedSize<typename T::second_type>();
  else return sizeof(T) > 0 ? sizeof(T) : 1;
}

// Reads a count of elements, each at least `min_element_bytes` long, and checks it
// against what is left, so a corrupt count cannot make us allocate more than a small
// multiple of the input.
inline bool DecodeCount(std::string_view& in, size_t min_element_bytes, uint64_t& count) {
  std::memcpy(&count, in.data(), sizeof count);  // caller checked the size
  in.remove_prefix(sizeof count);
  return count <= in.size() / min_element_bytes;
}

// Reads one T from the front of `in` and removes it. False if `in` is too short or
// inconsistent; `value` is then unspecified.
template <typename T>
bool Decode(std::string_view& in, T& value) {
  if constexpr (HasCodecFor<T>) {
    return CodecFor<T>::Decode(in, value);
  } else if constexpr (std::is_same_v<T, std::string> || IsVector<T>::value ||
                       IsMap<T>::value) {
    uint64_t count = 0;
    if (in.size() < sizeof count) return false;
    if constexpr (std::is_same_v<T, std::string>) {
      if (!DecodeCount(in, 1, count)) return false;
      value.assign(in.data(), count);
      in.remove_prefix(count);
    } else if constexpr (IsVector<T>::value) {
      if (!DecodeCount(in, MinEncodedSize<typename T::value_type>(), count)) return false;
      value.clear();
      value.resize(count);
      for (auto& element : value) {
        if (!Decode(in, element)) return false;
      }
    } else {
      using Entry = std::pair<typename T::key_type, typename T::mapped_type>;
      if (!DecodeCount(in, MinEncodedSize<Entry>(), count)) return false;
      value.clear();
      for (uint64_t i = 0; i < count; ++i) {
        Entry entry;
        if (!Decode(in, entry)) return false;
        value.insert(std::move(entry));
      }
    }
    return true;
  } else if constexpr (IsPair<T>::value) {
    return Decode(in, value.first) && Decode(in, value.second);
  } else {
    if (in.size() < sizeof value) return false;
    std::memcpy(&value, in.data(), sizeof value);
    in.remove_prefix(sizeof value);
    return true;
  }
}

template <typename... Ts>
std::string EncodeAll(const Ts&... values) {
  std::string out;
  (Encode(values, out), ...);
  return out;
}

// Reads a tuple's elements, in order, from the front of `in` and removes them.
template <typename... Ts>
bool DecodeTuple(std::string_view& in, std::tuple<Ts...>& values) {
  return std::apply([&](Ts&... each) { return (Decode(in, each) && ...); }, values);
}

// Decodes a whole tuple; false unless `in` holds exactly that.
template <typename... Ts>
bool DecodeAll(std::string_view in, std::tuple<Ts...>& values) {
  return DecodeTuple(in, values) && in.empty();
}

}  // namespace mp::internal

#endif  // MP_BASE_ARG_CODEC_H_
