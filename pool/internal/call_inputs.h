// A call's inputs, task by task, as the typed calls (pool_calls.h) hand them to the
// encoder (chunk_codec.h) or to a ThreadPool's threads: Map's (each input is the task's
// one argument), Starmap's (each input is a tuple of them) and Apply's (one task).
//
// `Values` is a reference to the caller's inputs, for an engine that encodes them before
// Submit() returns, or a copy (Kept()), for work that runs after the call has returned.

#ifndef MP_POOL_INTERNAL_CALL_INPUTS_H_
#define MP_POOL_INTERNAL_CALL_INPUTS_H_

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <vector>

namespace mp::internal {

template <typename Values>
struct EachInputIsTheArgument {
  using Value = typename std::decay_t<Values>::value_type;
  Values values;

  size_t size() const { return values.size(); }
  auto Arguments(size_t index) const { return std::forward_as_tuple(values[index]); }
  // The inputs as one array, for a chunk that is encoded as its bytes.
  const Value* Array() const { return values.data(); }
  auto Kept() const { return EachInputIsTheArgument<std::decay_t<Values>>{values}; }
};

template <typename Values>
struct EachInputIsATuple {
  Values values;

  size_t size() const { return values.size(); }
  const auto& Arguments(size_t index) const { return values[index]; }
  auto Kept() const { return EachInputIsATuple<std::decay_t<Values>>{values}; }
};

template <typename Tuple>
struct OneTask {
  Tuple arguments;

  size_t size() const { return 1; }
  const Tuple& Arguments(size_t) const { return arguments; }
  auto Kept() const {
    return [this]<typename... Args>(const std::tuple<Args...>*) {
      return OneTask<std::tuple<std::decay_t<Args>...>>{arguments};
    }(static_cast<const Tuple*>(nullptr));
  }
};

template <typename T>
EachInputIsTheArgument<const std::vector<T>&> InputsOfMap(const std::vector<T>& inputs) {
  return {inputs};
}
template <typename Tuple>
EachInputIsATuple<const std::vector<Tuple>&> InputsOfStarmap(const std::vector<Tuple>& inputs) {
  return {inputs};
}
template <typename... Args>
OneTask<std::tuple<const Args&...>> InputsOfApply(const Args&... args) {
  return {std::tuple<const Args&...>(args...)};
}

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_CALL_INPUTS_H_
