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

#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/arg_codec.h"
#include "base/put_bug_back.h"
#include "base/status_macros.h"
#include "pool/internal/chunk_codec.h"
#include "pool/internal/wire.h"
#include "pool/task_exception.h"

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

// Runs a chunk of tasks: `count` encoded argument tuples lie one after another in `args`.
// Appends the encoded result of each task that succeeds to `values`, and an error for
// each other task (its index within the chunk) to `errors`.
using PoolTaskEntry = void (*)(std::string_view args, uint64_t count, std::string& values,
                               std::vector<TaskError>& errors);

// Whether `args` holds exactly `count` well-formed argument tuples for the task: for a
// server that takes chunks from other machines and must refuse malformed ones.
using PoolArgsCheck = bool (*)(std::string_view args, uint64_t count);

struct PoolTask {
  std::string name;
  const void* function;
  PoolTaskEntry run;
  PoolArgsCheck args_fit;
};

// Aborts with a message if `name` is taken.
void RegisterPoolTask(const char* name, const void* function, PoolTaskEntry run,
                      PoolArgsCheck args_fit);
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
  // Arguments and result are each encoded as their bytes (numbers, plain structs:
  // chunk_codec.h), and the result is returned as it is (not in a StatusOr).
  static constexpr bool kFixedSize =
      kArgsAreBlocks<Args> && std::is_same_v<R, Result> && IsRawEncoded<Result>();
};
template <typename R, typename... Params>
struct PoolFunctionTraits<R (*)(Params...) noexcept> : PoolFunctionTraits<R (*)(Params...)> {};

template <typename T>
void EncodeResult(const T& value, std::string& out) {
  if constexpr (!std::is_same_v<T, NoResult>) Encode(value, out);
}

// Runs `body` (which returns a task's status), turning an exception it throws into that
// task's error (task_exception.h: a fitting code, and the details as a payload).
template <typename Body>
absl::Status CatchingExceptions(Body body) {
  try {
    return body();
  } catch (...) {
    return StatusOfCurrentException();
  }
}

// The bug "arguments_swapped" (base/put_bug_back.h), which lesson 5 shows its test
// catching: a call's two arguments of one type passed the wrong way round.
template <typename Args>
void SwapArgumentsIfThatBugIsPutBack(Args& args) {
  if constexpr (std::tuple_size_v<Args> == 2) {
    if constexpr (std::is_same_v<std::tuple_element_t<0, Args>, std::tuple_element_t<1, Args>> &&
                  std::is_swappable_v<std::tuple_element_t<0, Args>>) {
      if (BugPutBack("arguments_swapped")) std::swap(std::get<0>(args), std::get<1>(args));
    }
  }
}

// Runs one task, appending its encoded result to `values`; its error, if it fails.
template <auto kFunction, typename Args>
absl::Status RunPoolTask(Args& args, std::string& values) {
  using Traits = PoolFunctionTraits<decltype(kFunction)>;
  SwapArgumentsIfThatBugIsPutBack(args);
  const size_t values_before = values.size();
  absl::Status status = CatchingExceptions([&]() -> absl::Status {
    if constexpr (std::is_void_v<typename Traits::Returned>) {
      std::apply(kFunction, args);
    } else {
      typename Traits::Returned returned = std::apply(kFunction, args);
      if constexpr (std::is_same_v<typename Traits::Returned, typename Traits::Result>) {
        EncodeResult(returned, values);
      } else {
        if (!returned.ok()) return returned.status();
        EncodeResult(*returned, values);
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) values.resize(values_before);  // in case encoding the result threw
  return status;
}

// RunPoolTask for a task with a fixed-size result (kFixedSize): writes the result's bytes
// at `out`, which has room for them.
template <auto kFunction, typename Args>
absl::Status RunPoolTaskInto(Args& args, char* out) {
  SwapArgumentsIfThatBugIsPutBack(args);
  return CatchingExceptions([&] {
    const auto result = std::apply(kFunction, args);
    std::memcpy(out, &result, sizeof result);
    return absl::OkStatus();
  });
}

// A chunk of tasks (PoolTaskEntry): no allocation per task for numbers and other
// fixed-size arguments and results.
template <auto kFunction>
void RunPoolTasks(std::string_view args, uint64_t count, std::string& values,
                  std::vector<TaskError>& errors) {
  using Traits = PoolFunctionTraits<decltype(kFunction)>;
  if constexpr (Traits::kFixedSize) {
    // Numbers in, a number out: the chunk's arguments are an array, and so are its
    // results. Sizing `values` once and copying each result into place costs a move
    // instruction per task, where appending to a string costs a function call: for
    // trivial tasks that is most of a worker's time.
    if (ChunkArgsAreBlocks<typename Traits::Args>(args, count)) {
      constexpr size_t kBlock = kArgsBlockBytes<typename Traits::Args>;
      const size_t start = values.size();
      values.resize(start + count * sizeof(typename Traits::Result));
      size_t end = start;
      for (uint64_t i = 0; i < count; ++i) {
        std::string_view task_bytes = args.substr(i * kBlock, kBlock);
        typename Traits::Args task_args;
        DecodeTuple(task_bytes, task_args);  // cannot fail: the sizes were checked
        const absl::Status status = RunPoolTaskInto<kFunction>(task_args, values.data() + end);
        if (status.ok()) {
          end += sizeof(typename Traits::Result);
        } else {
          errors.push_back({i, static_cast<int32_t>(status.code()), std::string(status.message()),
                            TaskExceptionPayload(status)});
        }
      }
      values.resize(end);
      return;
    }
  }
  for (uint64_t i = 0; i < count; ++i) {
    typename Traits::Args task_args;
    if (!DecodeTuple(args, task_args)) {
      // Where the next task's arguments start is unknown now: the rest fail too.
      FailTasks(i, count, absl::StatusCode::kInvalidArgument,
                "the task's arguments arrived damaged", errors);
      return;
    }
    absl::Status status = RunPoolTask<kFunction>(task_args, values);
    if (!status.ok()) {
      errors.push_back({i, static_cast<int32_t>(status.code()), std::string(status.message()),
                        TaskExceptionPayload(status)});
    }
  }
}

template <auto kFunction>
bool PoolArgsFit(std::string_view args, uint64_t count) {
  using Traits = PoolFunctionTraits<decltype(kFunction)>;
  if constexpr (kArgsAreBlocks<typename Traits::Args>) {
    return ChunkArgsAreBlocks<typename Traits::Args>(args, count);
  } else {
    for (uint64_t i = 0; i < count; ++i) {
      typename Traits::Args task_args;
      if (!DecodeTuple(args, task_args)) return false;
    }
    return args.empty();
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
  RegisterPoolTask(name, reinterpret_cast<const void*>(kFunction), &RunPoolTasks<kFunction>,
                   &PoolArgsFit<kFunction>);
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
