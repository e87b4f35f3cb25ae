// What a bounded fuzzing test may spend, from the environment: MP_FUZZ_SEED picks the
// seed (a failure replays with the same one), MP_FUZZ_SECONDS bounds its time.

#ifndef MP_IPC_TESTING_FUZZ_BUDGET_H_
#define MP_IPC_TESTING_FUZZ_BUDGET_H_

#include <cstdint>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"

namespace mp::test {

inline int64_t FuzzSetting(const char* name, int64_t fallback) {
  const char* text = std::getenv(name);
  int64_t value = 0;
  return text != nullptr && absl::SimpleAtoi(text, &value) ? value : fallback;
}

inline uint64_t FuzzSeed(uint64_t fallback) {
  return static_cast<uint64_t>(FuzzSetting("MP_FUZZ_SEED", static_cast<int64_t>(fallback)));
}

// 2 seconds unless MP_FUZZ_SECONDS says otherwise.
inline absl::Duration FuzzTime() { return absl::Seconds(FuzzSetting("MP_FUZZ_SECONDS", 2)); }

}  // namespace mp::test

#endif  // MP_IPC_TESTING_FUZZ_BUDGET_H_
