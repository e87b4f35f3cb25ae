// Putting a known bug back, so that a test can be shown to fail.
//
// Every claim of the course names the bug under which its test would fail, and the suite
// runs the test with that bug put back to show that it does (each lesson's "shown
// failing by" column). Where the bug would sit in the library itself, the library has a
// named switch at that spot:
//
//   if (mp::internal::BugPutBack("exit_code_lost")) return 0;  // the bug
//
// A process whose environment has MP_TESTING_PUT_BUG_BACK=<name>[,<name>...] takes the
// wrong branch at each switch named there; children inherit the variable, so a bug in
// a worker is put back too. Without the variable every switch is off, at the cost of
// one load and compare. process/testing/counterfactual.h runs a test this way.
//
// Never set the variable outside a test: it makes the library wrong on purpose.

#ifndef MP_BASE_PUT_BUG_BACK_H_
#define MP_BASE_PUT_BUG_BACK_H_

#include <string_view>

#include "absl/time/time.h"

namespace mp::internal {

inline constexpr char kPutBugBackVariable[] = "MP_TESTING_PUT_BUG_BACK";

// True if this process was started with `bug` put back.
bool BugPutBack(std::string_view bug);

// True if any bug is put back.
bool AnyBugPutBack();

// How long a test waits for what a correct library does at once: `normal`, or, while a
// bug is put back, at most 3 s, so that a bug that makes the test wait for ever fails it
// soon instead. A test that passes does not depend on this bound.
absl::Duration BoundOnWaits(absl::Duration normal);

}  // namespace mp::internal

#endif  // MP_BASE_PUT_BUG_BACK_H_
