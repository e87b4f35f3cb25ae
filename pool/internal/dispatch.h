// Dispatch: which pending chunk goes to which worker. The decisions are pure functions of
// a snapshot of the workers, so they are tested without processes (dispatch_test.cc);
// PoolCore takes the snapshot and sends what they choose.
//
// Each worker has its own inbox and a few chunks sent to it and not yet answered, kept in
// order. How many depends on how long its chunks take (ChunkLimit):
// - under kFastChunk: enough to keep the worker busy for kQueuedWorkWhenFast, from
//   kChunksInFlightWhenFast up to kMostChunksInFlightWhenFast. Otherwise the manager, not
//   the worker, would limit throughput: on a busy machine a thread that sleeps may wait
//   a scheduler's slice (milliseconds) for a CPU, and a worker with only 16 chunks of a
//   microsecond each ran dry long before the manager came back to refill it. The queued
//   work costs the other workers at most kQueuedWorkWhenFast (what 16 chunks of 100 us
//   cost before) at the end of a job. A chunk's time is what its worker measured
//   running it (wire.h), so that a collector that came late does not make it look slow.
// - over kSlowChunk: kChunksInFlightWhenSlow, one running and one waiting, so the worker
//   never waits for the manager. More would unbalance the end of a job: a worker could
//   still hold three queued chunks while the others sit idle (on 16 cores four in flight
//   cost parallel efficiency: benchmarks/results/design_measurements.md).
// - otherwise, and before the first is timed: kChunksInFlight.
// A worker is refilled in batches: once it is down to half its limit it takes chunks
// again, up to the limit, all sent in one PutBatch(), so that it is woken once per batch
// rather than once per chunk. (With one-task chunks the manager, not the workers, limits
// throughput; see README.md.)

#ifndef MP_POOL_INTERNAL_DISPATCH_H_
#define MP_POOL_INTERNAL_DISPATCH_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace mp::internal {

inline constexpr size_t kChunksInFlight = 4;
inline constexpr size_t kChunksInFlightWhenFast = 16;
inline constexpr size_t kMostChunksInFlightWhenFast = 256;
inline constexpr absl::Duration kQueuedWorkWhenFast = absl::Microseconds(1600);
inline constexpr size_t kChunksInFlightWhenSlow = 2;
inline constexpr absl::Duration kFastChunk = absl::Microseconds(100);
inline constexpr absl::Duration kSlowChunk = absl::Milliseconds(1);

// How many chunks a worker may hold sent and unanswered, given how long its last timed
// chunk took (zero: none timed yet).
size_t ChunkLimit(absl::Duration chunk_time);

// What dispatch needs to know of one worker.
struct WorkerLoad {
  bool takes_chunks = false;  // it has a process, and is refilling (see above)
  size_t in_flight = 0;       // chunks sent to it and not yet answered
  size_t limit = kChunksInFlight;
  int64_t tasks_sent = 0;     // since it started: for max_tasks_per_child
};

// The worker (an index into `workers`) for each of the first `pending` chunks in order,
// chunk i having tasks_of(i) tasks; the first chunk with nowhere to go ends the list, so
// chunks are sent in the order they were submitted. Each goes to the worker with room
// (counting the chunks chosen for it before) that has the fewest chunks in flight and
// chosen, the first such. With `quota` (max_tasks_per_child; 0 for none), a worker is not
// given a chunk that would take it past its quota, unless it has been given nothing yet.
using Destinations = absl::InlinedVector<size_t, 32>;
Destinations ChooseDestinations(absl::Span<const WorkerLoad> workers, size_t pending,
                                absl::FunctionRef<uint64_t(size_t)> tasks_of, int64_t quota);

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_DISPATCH_H_
