// Timeouts and deadlines, the same way in every call that waits.

#ifndef MP_BASE_DEADLINE_H_
#define MP_BASE_DEADLINE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mp::internal {

// InvalidArgument naming `operation` (e.g. "Join()") if `timeout` is negative.
absl::Status CheckTimeout(absl::Duration timeout, absl::string_view operation);

// The timeout argument of poll(2) for `deadline`: -1 for an infinite one, otherwise
// the milliseconds left, rounded up (so a wait never ends a little early and spins)
// and clamped to what an int holds.
int PollTimeoutMs(absl::Time deadline);

}  // namespace mp::internal

#endif  // MP_BASE_DEADLINE_H_
