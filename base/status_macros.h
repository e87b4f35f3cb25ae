// Early-return helpers for absl::Status, which the system Abseil (20220623) lacks.
//
//   absl::StatusOr<int> ParsePort(absl::string_view text);
//
//   absl::Status Serve(absl::string_view text) {
//     MP_ASSIGN_OR_RETURN(int port, ParsePort(text));  // returns the error, if any
//     MP_RETURN_IF_ERROR(Listen(port));
//     return absl::OkStatus();
//   }

#ifndef MP_BASE_STATUS_MACROS_H_
#define MP_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function with `expr`'s status if it is not OK.
#define MP_RETURN_IF_ERROR(expr)                          \
  do {                                                    \
    const ::absl::Status mp_status_ = (expr);             \
    if (!mp_status_.ok()) return mp_status_;              \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status if it is not OK,
// otherwise moves its value into `lhs` (a declaration or an existing variable).
#define MP_ASSIGN_OR_RETURN(lhs, rexpr) \
  MP_ASSIGN_OR_RETURN_IMPL_(MP_STATUS_CONCAT_(mp_statusor_, __LINE__), lhs, rexpr)

#define MP_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                              \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(statusor).value()

#define MP_STATUS_CONCAT_(a, b) MP_STATUS_CONCAT_IMPL_(a, b)
#define MP_STATUS_CONCAT_IMPL_(a, b) a##b

#endif  // MP_BASE_STATUS_MACROS_H_
