// What a task's exception becomes: a status whose code fits the exception's type, whose
// message says what was thrown, and which carries the details as a payload that the
// caller reads back with TaskExceptionOf() (Python's RemoteTraceback, as far as C++ can:
// a thrown exception does not remember where it was thrown, so "where" is the process
// and the task).
//
//   absl::StatusOr<std::vector<int>> results = pool->Map(Parse, lines);
//   if (std::optional<mp::TaskException> thrown = mp::TaskExceptionOf(results.status())) {
//     // thrown->type == "std::invalid_argument", thrown->what, thrown->pid
//   }
//
// Codes: std::invalid_argument and std::domain_error -> InvalidArgument;
// std::out_of_range -> OutOfRange; std::bad_alloc and std::length_error ->
// ResourceExhausted; anything else (or a throw of something that is not a
// std::exception) -> Unknown. The payload survives the trip from a worker process, and
// from a remote host, to the caller.

#ifndef MP_POOL_TASK_EXCEPTION_H_
#define MP_POOL_TASK_EXCEPTION_H_

#include <sys/types.h>

#include <exception>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mp {

struct TaskException {
  std::string type;  // demangled: "std::invalid_argument", "MyError"
  std::string what;  // what() said; empty for something that is not a std::exception
  pid_t pid = 0;     // the process where the task ran and threw

  bool operator==(const TaskException&) const = default;
};

// The details of the exception a task threw, if `status` is such a task's error.
std::optional<TaskException> TaskExceptionOf(const absl::Status& status);

// The payload's type URL (absl::Status::GetPayload).
inline constexpr absl::string_view kTaskExceptionPayloadUrl = "type.googleapis.com/mp.TaskException";

namespace internal {

// The status for the exception being handled (call inside a catch block), thrown by a
// task running in this process.
absl::Status StatusOfCurrentException();

// The task's status as it travels between processes: the payload's bytes, empty for none;
// and back, onto a status made from the code and message that travelled beside it.
std::string TaskExceptionPayload(const absl::Status& status);
void AttachTaskExceptionPayload(absl::string_view payload, absl::Status& status);

}  // namespace internal
}  // namespace mp

#endif  // MP_POOL_TASK_EXCEPTION_H_
