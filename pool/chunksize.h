// How many tasks a pool hands a worker at a time, when the caller does not say.
//
// Sending tasks one by one costs a message round trip per task; sending them in chunks
// amortises that cost, but chunks too large leave workers idle at the end while one
// finishes a big last chunk. Python's multiprocessing.Pool.map() settles this by aiming
// for about four chunks per worker; we use the same rule so that our measurements compare
// like with like, up to a cap:
//
//   DefaultChunksize(100, 4) == 7             // 100 / (4 * 4) = 6.25, rounded up
//   DefaultChunksize(1'000'000, 2) == 4096    // Python: 125,000
//   DefaultChunksize(1'000'000, 2, INT64_MAX) == 125'000
//
// Why the cap (kMaxDefaultChunksize), for engines whose chunks are messages (Pool,
// RemotePool): a chunk is copied a few times on its way (caller, worker's inbox, results
// queue, the job), and Python's rule makes a 1M-number Map into 8 chunks of 1 MB, each a
// fresh allocation that malloc takes straight from the kernel, page faults and all, and
// each copy overflowing the CPU's L2 cache; capped chunks ran faster (measured in
// benchmarks/results/chunksize_cap.md). A ThreadPool copies nothing, so it takes Python's
// rule uncapped: there, fewer chunks mean fewer hand-offs between its threads.

#ifndef MP_POOL_CHUNKSIZE_H_
#define MP_POOL_CHUNKSIZE_H_

#include <cstdint>

namespace mp {

inline constexpr int64_t kMaxDefaultChunksize = 4096;

// ceil(num_tasks / (4 * num_workers)), at least 1 and at most `max_chunksize`. Treats
// num_workers < 1 as 1 and num_tasks < 0 as 0.
int64_t DefaultChunksize(int64_t num_tasks, int num_workers,
                         int64_t max_chunksize = kMaxDefaultChunksize);

}  // namespace mp

#endif  // MP_POOL_CHUNKSIZE_H_
