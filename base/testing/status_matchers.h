// gMock matchers for absl::Status and absl::StatusOr, which the system Abseil
// (20220623) does not ship.
//
//   EXPECT_THAT(process.Start(), IsOk());
//   EXPECT_THAT(process.Join(), StatusIs(absl::StatusCode::kFailedPrecondition,
//                                        HasSubstr("Start()")));
//   EXPECT_THAT(value.Load(), IsOkAndHolds(42));

#ifndef MP_BASE_TESTING_STATUS_MATCHERS_H_
#define MP_BASE_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace mp::test {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << "which is " << status;
  return status.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has code ") + absl::StatusCodeToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "which is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(status.message()),
                                       result_listener);
}

MATCHER_P(StatusIs, code, std::string("has code ") + absl::StatusCodeToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "which is " << status;
  return status.code() == code;
}

// An OK StatusOr whose value matches `value_matcher` (a value, or any matcher).
MATCHER_P(IsOkAndHolds, value_matcher,
          std::string("is OK and holds ") + ::testing::PrintToString(value_matcher)) {
  if (!arg.ok()) {
    *result_listener << "which is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace mp::test

#endif  // MP_BASE_TESTING_STATUS_MATCHERS_H_
