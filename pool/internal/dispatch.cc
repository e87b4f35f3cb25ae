#include "pool/internal/dispatch.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/put_bug_back.h"

namespace mp::internal {

size_t ChunkLimit(absl::Duration chunk_time) {
  if (chunk_time == absl::ZeroDuration()) return kChunksInFlight;
  if (chunk_time < kFastChunk) {
    // Enough queued to keep the worker busy for kQueuedWorkWhenFast, within the bounds.
    const int64_t to_cover = kQueuedWorkWhenFast / chunk_time;
    return static_cast<size_t>(std::clamp<int64_t>(to_cover, kChunksInFlightWhenFast,
                                                   kMostChunksInFlightWhenFast));
  }
  if (chunk_time > kSlowChunk) return kChunksInFlightWhenSlow;
  return kChunksInFlight;
}

Destinations ChooseDestinations(absl::Span<const WorkerLoad> workers, size_t pending,
                                absl::FunctionRef<uint64_t(size_t)> tasks_of, int64_t quota) {
  // What this call has chosen for each worker so far. On the stack for a usual round:
  // the manager dispatches after every result.
  struct Chosen {
    size_t chunks = 0;
    int64_t tasks = 0;
  };
  absl::InlinedVector<Chosen, 16> chosen(workers.size());
  Destinations destinations;
  if (BugPutBack("tasks_dealt_up_front") &&
      std::any_of(workers.begin(), workers.end(),
                  [](const WorkerLoad& worker) { return worker.takes_chunks; })) {
    // Lesson 4's counterfactual: every chunk dealt out at once, in turn, to the workers
    // there are, busy or not and however many they hold, as a static schedule would.
    for (size_t slot = 0; destinations.size() < pending; slot = (slot + 1) % workers.size()) {
      if (workers[slot].takes_chunks) destinations.push_back(slot);
    }
    return destinations;
  }
  while (destinations.size() < pending) {
    const int64_t tasks = static_cast<int64_t>(tasks_of(destinations.size()));
    size_t best = workers.size();
    size_t best_load = 0;  // its chunks in flight and chosen
    for (size_t slot = 0; slot < workers.size(); ++slot) {
      const WorkerLoad& worker = workers[slot];
      const size_t load = worker.in_flight + chosen[slot].chunks;
      if (!worker.takes_chunks || load >= worker.limit) continue;
      const int64_t tasks_given = worker.tasks_sent + chosen[slot].tasks;
      if (quota > 0 && tasks_given > 0 && tasks_given + tasks > quota) continue;
      if (best == workers.size() || load < best_load) {
        best = slot;
        best_load = load;
      }
    }
    if (best == workers.size()) break;
    ++chosen[best].chunks;
    chosen[best].tasks += tasks;
    destinations.push_back(best);
  }
  return destinations;
}

}  // namespace mp::internal
