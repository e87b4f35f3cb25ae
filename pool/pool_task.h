// MP_POOL_TASK: the functions a process Pool can run.
//
//   int Double(int x) { return 2 * x; }
//   MP_POOL_TASK(Double);                          // at namespace scope
//
//   absl::StatusOr<std::vector<int>> doubled = pool.Map(Double, std::vector<int>{1, 2, 3});
//
// A worker may be a fresh program (the spawn start method), which cannot receive a
// function pointer from us: it looks the task up by the name registered here, in its own
// copy of the program. So pool tasks are named functions, not lambdas, exactly as Python
// pickles a function by its qualified name. (ThreadPool takes any callable.)
//
// A task's parameters and its result must be encodable (ipc/codec.h). It may return
// `absl::StatusOr<R>` to fail with a status, or throw: both reach the caller as that task's
// error, naming the worker that ran it. A task may also return void.

#ifndef MP_POOL_POOL_TASK_H_
#define MP_POOL_POOL_TASK_H_

#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "process/internal/arg_codec.h"
#include "process/status_macros.h"

#define MP_POOL_TASK(function)                                                     \
  [[maybe_unused]] static const bool MP_STATUS_CONCAT_(mp_registered_pool_task_, \
                                                        __LINE__) =                \
      ::mp::internal::RegisterPoolFunction<&function>(#function)

namespace mp {

// Results of void tasks.
struct NoResult {
  bool operator==(const NoResult&) const = default;
};

namespace internal {

// Runs a task on its encoded arguments: the encoded result, or the task's error.
using PoolTaskEntry = absl::StatusOr<std::string> (*)(std::string_view encoded_args);

struct PoolTask {
  std::string name;
  const void* function;
  PoolTaskEntry run;
};

// Aborts with a message if `name` is taken.
void RegisterPoolTask(const char* name, const void* function, PoolTaskEntry run);
const PoolTask* FindPoolTaskByName(std::string_view name);
const PoolTask* FindPoolTaskByFunction(const void* function);

template <typename T>
struct UnwrapStatusOr {
  using type = T;
};
template <typename T>
struct UnwrapStatusOr<absl::StatusOr<T>> {
  using type = T;
};

template <typename F>
struct PoolFunctionTraits {
  static constexpr bool kIsFunctionPointer = false;
};
template <typename R, typename... Params>
struct PoolFunctionTraits<R (*)(Params...)> {
  static constexpr bool kIsFunctionPointer = true;
  using Args = std::tuple<std::decay_t<Params>...>;
  using Returned = R;
  // What the caller receives for each task.
  using Result = std::conditional_t<std::is_void_v<R>, NoResult, typename UnwrapStatusOr<R>::type>;
  static constexpr bool kArgsEncodable = (IsEncodable<std::decay_t<Params>>() && ...);
  static constexpr bool kResultEncodable = IsEncodable<Result>() || std::is_same_v<Result, NoResult>;
};
template <typename R, typename... Params>
struct PoolFunctionTraits<R (*)(Params...) noexcept> : PoolFunctionTraits<R (*)(Params...)> {};

template <typename T>
void EncodeResult(const T& value, std::string& out) {
  if constexpr (!std::is_same_v<T, NoResult>) Encode(value, out);
}

template <auto kFunction>
absl::StatusOr<std::string> RunPoolTaskEncoded(std::string_view encoded_args) {
  using Traits = PoolFunctionTraits<decltype(kFunction)>;
  typename Traits::Args args;
  if (!DecodeAll(encoded_args, args)) {
    return absl::InvalidArgumentError("the task's arguments arrived damaged");
  }
  try {
    std::string out;
    if constexpr (std::is_void_v<typename Traits::Returned>) {
      std::apply(kFunction, args);
    } else {
      typename Traits::Returned returned = std::apply(kFunction, args);
      if constexpr (std::is_same_v<typename Traits::Returned, typename Traits::Result>) {
        EncodeResult(returned, out);
      } else {
        if (!returned.ok()) return returned.status();
        EncodeResult(*returned, out);
      }
    }
    return out;
  } catch (const std::exception& error) {
    return absl::UnknownError(absl::StrCat("the task threw: ", error.what()));
  } catch (...) {
    return absl::UnknownError("the task threw something that is not a std::exception");
  }
}

template <auto kFunction>
bool RegisterPoolFunction(const char* name) {
  using Traits = PoolFunctionTraits<decltype(kFunction)>;
  static_assert(Traits::kIsFunctionPointer,
                "MP_POOL_TASK takes the name of a function (not a lambda or an overloaded name)");
  static_assert(Traits::kArgsEncodable,
                "a pool task's parameters must be encodable (see ipc/codec.h)");
  static_assert(Traits::kResultEncodable, "a pool task's result must be encodable (see ipc/codec.h)");
  RegisterPoolTask(name, reinterpret_cast<const void*>(kFunction), &RunPoolTaskEncoded<kFunction>);
  return true;
}

// The registered name of `function`, or empty if it was never registered.
template <typename F>
std::string PoolTaskName(F* function) {
  const PoolTask* task = FindPoolTaskByFunction(reinterpret_cast<const void*>(function));
  return task == nullptr ? std::string() : task->name;
}

}  // namespace internal
}  // namespace mp

#endif  // MP_POOL_POOL_TASK_H_
