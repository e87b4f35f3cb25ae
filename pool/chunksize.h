// How many tasks a pool hands a worker at a time, when the caller does not say.
//
// Sending tasks one by one costs a message round trip per task; sending them in chunks
// amortises that cost, but chunks too large leave workers idle at the end while one
// finishes a big last chunk. Python's multiprocessing.Pool.map() settles this by aiming
// for about four chunks per worker; we use the same rule so that our measurements compare
// like with like:
//
//   DefaultChunksize(100, 4) == 7   // 100 / (4 * 4) = 6.25, rounded up

#ifndef MP_POOL_CHUNKSIZE_H_
#define MP_POOL_CHUNKSIZE_H_

#include <cstdint>

namespace mp {

// ceil(num_tasks / (4 * num_workers)), and at least 1. Treats num_workers < 1 as 1 and
// num_tasks < 0 as 0.
int64_t DefaultChunksize(int64_t num_tasks, int num_workers);

}  // namespace mp

#endif  // MP_POOL_CHUNKSIZE_H_
