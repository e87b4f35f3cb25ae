#include "base/put_bug_back.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "absl/time/time.h"

namespace mp::internal {
namespace {

// Read once: the environment does not change under a running test.
const char* BugsPutBack() {
  static const char* const bugs = std::getenv(kPutBugBackVariable);
  return bugs;
}

}  // namespace

bool BugPutBack(std::string_view bug) {
  const char* bugs = BugsPutBack();
  if (bugs == nullptr) return false;
  std::string_view rest(bugs);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    if (rest.substr(0, comma) == bug) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

bool AnyBugPutBack() {
  const char* bugs = BugsPutBack();
  return bugs != nullptr && bugs[0] != '\0';
}

absl::Duration BoundOnWaits(absl::Duration normal) {
  return AnyBugPutBack() ? std::min(normal, absl::Seconds(3)) : normal;
}

}  // namespace mp::internal
