#include "pool/task_exception.h"

#include <cxxabi.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <typeinfo>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/types/optional.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/arg_codec.h"

namespace mp {
namespace {

std::string Demangled(const std::type_info& type) {
  int error = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &error), &std::free);
  return error == 0 && name != nullptr ? std::string(name.get()) : std::string(type.name());
}

// Most derived first: std::out_of_range is a std::logic_error too.
absl::StatusCode CodeOf(const std::exception& error) {
  if (dynamic_cast<const std::invalid_argument*>(&error) != nullptr) {
    return absl::StatusCode::kInvalidArgument;
  }
  if (dynamic_cast<const std::domain_error*>(&error) != nullptr) {
    return absl::StatusCode::kInvalidArgument;
  }
  if (dynamic_cast<const std::out_of_range*>(&error) != nullptr) return absl::StatusCode::kOutOfRange;
  if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr ||
      dynamic_cast<const std::length_error*>(&error) != nullptr) {
    return absl::StatusCode::kResourceExhausted;
  }
  return absl::StatusCode::kUnknown;
}

using Encoded = std::tuple<std::string, std::string, int32_t>;  // type, what, pid

absl::Status WithPayload(absl::StatusCode code, const TaskException& thrown) {
  absl::Status status(code, thrown.what.empty() && thrown.type == "(not a std::exception)"
                                ? "the task threw something that is not a std::exception"
                                : absl::StrCat("the task threw ", thrown.type, ": ", thrown.what));
  const std::string payload =
      internal::EncodeAll(thrown.type, thrown.what, static_cast<int32_t>(thrown.pid));
  status.SetPayload(kTaskExceptionPayloadUrl, absl::Cord(payload));
  return status;
}

}  // namespace

std::optional<TaskException> TaskExceptionOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kTaskExceptionPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  const std::string bytes(*payload);
  Encoded fields;
  if (!internal::DecodeAll(bytes, fields)) return std::nullopt;
  return TaskException{.type = std::get<0>(fields),
                       .what = std::get<1>(fields),
                       .pid = static_cast<pid_t>(std::get<2>(fields))};
}

namespace internal {

absl::Status StatusOfCurrentException() {
  try {
    throw;
  } catch (const std::exception& error) {
    return WithPayload(CodeOf(error),
                       {.type = Demangled(typeid(error)), .what = error.what(), .pid = ::getpid()});
  } catch (...) {
    return WithPayload(absl::StatusCode::kUnknown,
                       {.type = "(not a std::exception)", .what = "", .pid = ::getpid()});
  }
}

std::string TaskExceptionPayload(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kTaskExceptionPayloadUrl);
  return payload.has_value() ? std::string(*payload) : std::string();
}

void AttachTaskExceptionPayload(absl::string_view payload, absl::Status& status) {
  if (!payload.empty() && !status.ok()) {
    status.SetPayload(kTaskExceptionPayloadUrl, absl::Cord(payload));
  }
}

}  // namespace internal
}  // namespace mp
