#include "pool/chunksize.h"

#include <algorithm>

namespace mp {

int64_t DefaultChunksize(int64_t num_tasks, int num_workers, int64_t max_chunksize) {
  const int64_t tasks = std::max<int64_t>(num_tasks, 0);
  const int64_t chunks_wanted = 4 * static_cast<int64_t>(std::max(num_workers, 1));
  const int64_t chunksize = tasks / chunks_wanted + (tasks % chunks_wanted != 0 ? 1 : 0);
  return std::clamp<int64_t>(chunksize, 1, std::max<int64_t>(max_chunksize, 1));
}

}  // namespace mp
