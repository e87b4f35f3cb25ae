// The socket both RunAttributingOutput() and RunObserved() give a program as its
// stdout: a Unix stream socket whose reader asks the kernel for the sender of every
// piece of data (SO_PASSCRED). Private to //exercises/grading.

#ifndef MP_EXERCISES_GRADING_ATTRIBUTED_OUTPUT_H_
#define MP_EXERCISES_GRADING_ATTRIBUTED_OUTPUT_H_

#include <sys/types.h>

#include <vector>

#include "absl/status/statusor.h"
#include "base/unique_fd.h"
#include "exercises/grading/run_program.h"

namespace mp::grading {

struct AttributedSocket {
  internal::UniqueFd reader;  // ours, with SO_PASSCRED on
  internal::UniqueFd writer;  // the program's stdout
};

absl::StatusOr<AttributedSocket> MakeAttributedSocket();

// Reads one piece from `reader` and appends it to `writes` (to the last Write if the
// same process sent it). Returns what recvmsg() did: the bytes read, 0 at end of file
// (every writer closed its end), or -1 with errno set.
ssize_t ReadAttributed(int reader, std::vector<Write>& writes);

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_ATTRIBUTED_OUTPUT_H_
