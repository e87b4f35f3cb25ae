// The messages between a Pool and its workers, through ipc/ ByteQueues.
//
// Parent -> worker (the worker's own inbox): a chunk of tasks, all of one job, run in
// order. A chunk with an empty task name tells the worker to exit.
// Worker -> parent (one queue shared by all workers): the chunk's outcomes, in order.

#ifndef MP_POOL_INTERNAL_WIRE_H_
#define MP_POOL_INTERNAL_WIRE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mp::internal {

struct ChunkMessage {
  uint64_t job = 0;
  uint64_t first_index = 0;  // of the chunk's first task within its job
  std::string task_name = {};
  std::vector<std::string> encoded_args = {};  // one per task
};

// One task's outcome: its encoded result, or its error.
struct TaskOutcome {
  int32_t code = 0;  // absl::StatusCode; 0 (OK) means `bytes` is the encoded result
  std::string bytes = {};
};

struct ResultMessage {
  uint64_t job = 0;
  uint64_t first_index = 0;
  int32_t worker_pid = 0;
  std::vector<TaskOutcome> outcomes = {};
};

std::string EncodeChunk(const ChunkMessage& chunk);
absl::StatusOr<ChunkMessage> DecodeChunk(std::string_view bytes);
std::string EncodeResults(ResultMessage results);  // by value: its bytes move, not copy
absl::StatusOr<ResultMessage> DecodeResults(std::string_view bytes);

TaskOutcome OutcomeOf(const absl::StatusOr<std::string>& result);
absl::StatusOr<std::string> StatusOrOf(TaskOutcome outcome);

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_WIRE_H_
