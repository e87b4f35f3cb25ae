// RandomHex: `bytes` bytes from the kernel's random source (getrandom), as lowercase hex:
// for names and tokens nobody should guess (shared-memory segment names, the loopback
// hosts' token). Never blocks once the kernel's pool is initialised (early at boot).

#ifndef MP_BASE_RANDOM_HEX_H_
#define MP_BASE_RANDOM_HEX_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace mp::internal {

absl::StatusOr<std::string> RandomHex(size_t bytes);

}  // namespace mp::internal

#endif  // MP_BASE_RANDOM_HEX_H_
