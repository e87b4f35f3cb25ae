// How a chunk of tasks travels as bytes, both ways, and the one place that says so:
// arguments are each task's, one after another, and so are results (wire.h frames the
// chunk). The caller's side encodes arguments with EncodeChunkArgs (pool_calls.h), a
// worker reads them (pool_task.h) and a job reads results (job.h).
//
// Each value is encoded by ipc/codec.h. Numbers and plain structs (IsRawEncoded) are
// encoded as their bytes, so a chunk of them is an array, and three fast paths copy such
// a chunk whole: the caller's arguments, a worker's results, a job's results. They agree
// with the general path, value by value, because an array of raw-encoded values is byte
// for byte their encodings one after another; chunk_codec_test checks that for each
// kind, and each reader falls back to the general path when the sizes do not fit.

#ifndef MP_POOL_INTERNAL_CHUNK_CODEC_H_
#define MP_POOL_INTERNAL_CHUNK_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "base/arg_codec.h"

namespace mp::internal {

// Whether `bytes` are exactly `count` blocks of `each` bytes, without computing
// count * each (a count from another machine may be anything).
constexpr bool HoldsExactly(size_t bytes, uint64_t count, size_t each) {
  return each == 0 ? bytes == 0 : bytes % each == 0 && bytes / each == count;
}

// Every parameter in the tuple `Params` is raw-encoded: a task's arguments are a block of
// ArgsBlockBytes<Params> bytes, and a chunk's are an array of such blocks.
template <typename Params>
constexpr bool kArgsAreBlocks = []<typename... Ts>(std::tuple<Ts...>*) {
  return (IsRawEncoded<Ts>() && ...);
}(static_cast<Params*>(nullptr));

template <typename Params>
constexpr size_t kArgsBlockBytes = []<typename... Ts>(std::tuple<Ts...>*) {
  return (size_t{0} + ... + sizeof(Ts));
}(static_cast<Params*>(nullptr));

// Appends one task's arguments, each converted to its parameter's type in `Params`.
template <typename Params, typename Given>
void EncodeTaskArgs(const Given& given, std::string& out) {
  constexpr size_t kCount = std::tuple_size_v<Params>;
  static_assert(kCount == std::tuple_size_v<std::decay_t<Given>>,
                "wrong number of arguments for this task");
  [&]<size_t... kIndex>(std::index_sequence<kIndex...>) {
    auto encode_as = [&]<typename Param, typename Value>(const Value& value) {
      if constexpr (std::is_same_v<Param, std::decay_t<Value>>) {
        Encode(value, out);  // no conversion, no copy
      } else {
        Encode(Param(value), out);
      }
    };
    (encode_as.template operator()<std::tuple_element_t<kIndex, Params>>(std::get<kIndex>(given)), ...);
  }(std::make_index_sequence<kCount>{});
}

// Appends the arguments of tasks first .. first + count - 1 of `inputs`
// (call_inputs.h). Map's inputs of a raw-encoded parameter's own type are copied as they
// lie in memory: the fast path, one copy for the chunk.
template <typename Params, typename Inputs>
void EncodeChunkArgs(const Inputs& inputs, size_t first, size_t count, std::string& out) {
  if constexpr (requires { inputs.Array(); }) {
    using Value = typename Inputs::Value;
    if constexpr (std::tuple_size_v<Params> == 1 &&
                  std::is_same_v<Value, std::tuple_element_t<0, Params>> && IsRawEncoded<Value>()) {
      out.append(reinterpret_cast<const char*>(inputs.Array() + first), count * sizeof(Value));
      return;
    }
  }
  for (size_t index = first; index < first + count; ++index) {
    EncodeTaskArgs<Params>(inputs.Arguments(index), out);
  }
}

// A worker's side: whether `args` are `count` blocks of arguments (kArgsAreBlocks), task
// i's at i * kArgsBlockBytes. If not, they are read one by one (DecodeTuple), which
// fails cleanly on damage.
template <typename Params>
bool ChunkArgsAreBlocks(std::string_view args, uint64_t count) {
  if constexpr (kArgsAreBlocks<Params>) {
    return HoldsExactly(args.size(), count, kArgsBlockBytes<Params>);
  } else {
    return false;
  }
}

// A job's side: whether `values`, the results of a chunk of `count` tasks none of which
// failed, are an array of R (then copied in at once); if not, each is decoded.
template <typename R>
bool ChunkResultsAreArray(std::string_view values, size_t count, bool any_failed) {
  if constexpr (IsRawEncoded<R>()) {
    return !any_failed && HoldsExactly(values.size(), count, sizeof(R));
  } else {
    return false;
  }
}

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_CHUNK_CODEC_H_
