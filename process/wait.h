// Waiting for whichever of many things happens first: Python's
// multiprocessing.connection.wait().
//
//   std::vector<int> watched = {*worker.sentinel(), *other.sentinel(), pipe.fileno()};
//   absl::StatusOr<std::vector<int>> ready = mp::Wait(watched, absl::Seconds(5));
//   // the descriptors that are ready: a process that has ended, a pipe with a message
//
// Anything that is a readable descriptor when its event has happened can be waited on
// together: a Process's sentinel() (readable once the child has ended), a pipe end's
// fileno() (a message has begun to arrive, or the other end is closed), a queue's
// sentinel() (ipc/byte_queue.h: readable while it holds a message), a pool result's
// sentinel() (pool/results.h), a socket.

#ifndef MP_PROCESS_WAIT_H_
#define MP_PROCESS_WAIT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace mp {

// Waits until at least one of `descriptors` is ready to read (or at end of file, or
// broken), or `timeout` passes. Returns the ready ones, in the order given; empty if the
// timeout passed first (a zero timeout only looks). A signal handled meanwhile does not
// cut the wait short. InvalidArgument for an empty list, a negative timeout, or a
// descriptor that is negative or not open.
absl::StatusOr<std::vector<int>> Wait(absl::Span<const int> descriptors,
                                      absl::Duration timeout = absl::InfiniteDuration());

}  // namespace mp

#endif  // MP_PROCESS_WAIT_H_
