// Tasks that the spawn and forkserver start methods can run.
//
// A child started with fork is a copy of its parent, so it can run any callable,
// lambdas included. A child started with spawn or forkserver is a different process
// image: a pointer or a lambda from the parent means nothing there. Such a child gets
// the *name* of a function registered when the program started, and its arguments
// encoded as bytes (Python pickles the function's qualified name for the same reason).
//
//   int Square(int x) { return x * x == 49 ? 0 : 1; }   // exit code
//   MP_REGISTER_TASK(Square);                           // at namespace scope
//
//   mp::Process process({.start_method = mp::StartMethod::kSpawn}, Square, 7);
//
// A task returns void (exit code 0) or an int (the exit code). Its parameters may be
// of any type internal/arg_codec.h encodes: trivially copyable types (numbers, enums,
// plain structs), std::string, and vectors, maps and pairs of those; anything else
// fails to compile at MP_REGISTER_TASK. Registering two tasks under one
// name stops the program at start-up with a message naming it.

#ifndef MP_PROCESS_TASK_REGISTRY_H_
#define MP_PROCESS_TASK_REGISTRY_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "base/arg_codec.h"
#include "base/status_macros.h"

// Registers the function `function` under its own name (as written).
#define MP_REGISTER_TASK(function)                                             \
  [[maybe_unused]] static const bool MP_STATUS_CONCAT_(mp_registered_task_, \
                                                        __LINE__) =            \
      ::mp::internal::RegisterFunction<&function>(#function)

namespace mp::internal {

// Runs a registered task with its encoded arguments; returns its exit code.
using TaskEntry = int (*)(std::string_view encoded_args);

struct RegisteredTask {
  std::string name;
  const void* function;  // for finding the task from the pointer given to Process
  TaskEntry run;
};

// Adds a task; prints a message and aborts if `name` is taken.
void RegisterTask(const char* name, const void* function, TaskEntry run);

// nullptr if no task has that name or function.
const RegisteredTask* FindTaskByName(std::string_view name);
const RegisteredTask* FindTaskByFunction(const void* function);

template <typename F>
struct FunctionTraits {
  static constexpr bool kIsFunctionPointer = false;
};
template <typename R, typename... Params>
struct FunctionTraits<R (*)(Params...)> {
  static constexpr bool kIsFunctionPointer = true;
  using DecodedArgs = std::tuple<std::decay_t<Params>...>;
  static constexpr bool kArgsEncodable = (IsEncodable<std::decay_t<Params>>() && ...);

  // The arguments converted to the parameter types and encoded; nullopt if those
  // types cannot be encoded (then the function cannot be registered either).
  template <typename... Args>
  static std::optional<std::string> EncodeArgs(const Args&... args) {
    if constexpr (kArgsEncodable && sizeof...(Args) == sizeof...(Params)) {
      return EncodeAll(std::decay_t<Params>(args)...);
    } else {
      return std::nullopt;
    }
  }
};
template <typename R, typename... Params>
struct FunctionTraits<R (*)(Params...) noexcept> : FunctionTraits<R (*)(Params...)> {};

// Calls `target(args...)` and turns its result into an exit code: void is 0.
template <typename F, typename... Args>
int CallForExitCode(F&& target, Args&... args) {
  using Result = std::invoke_result_t<F&, Args&...>;
  if constexpr (std::is_void_v<Result>) {
    std::invoke(target, args...);
    return 0;
  } else {
    static_assert(std::is_convertible_v<Result, int>,
                  "a process's target returns void or an int exit code");
    return static_cast<int>(std::invoke(target, args...));
  }
}

// The exit code of a child whose arguments arrived damaged (never expected).
inline constexpr int kBadTaskMessageExitCode = 1;

template <auto kFunction>
int RunEncoded(std::string_view encoded_args) {
  typename FunctionTraits<decltype(kFunction)>::DecodedArgs args;
  if (!DecodeAll(encoded_args, args)) return kBadTaskMessageExitCode;
  return std::apply([](auto&... each) { return CallForExitCode(kFunction, each...); },
                    args);
}

template <auto kFunction>
bool RegisterFunction(const char* name) {
  using Traits = FunctionTraits<decltype(kFunction)>;
  static_assert(Traits::kIsFunctionPointer,
                "MP_REGISTER_TASK takes the name of a function (not a lambda or an "
                "overloaded name)");
  static_assert(Traits::kArgsEncodable,
                "a task's parameters must be encodable (see base/arg_codec.h), "
                "so that they can be sent to another process");
  RegisterTask(name, reinterpret_cast<const void*>(kFunction), &RunEncoded<kFunction>);
  return true;
}

}  // namespace mp::internal

#endif  // MP_PROCESS_TASK_REGISTRY_H_
