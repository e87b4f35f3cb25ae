// The messages between a Pool and its workers, through ipc/ ByteQueues.
//
// Parent -> worker (the worker's own inbox): a chunk of tasks, all of one job, run in
// order. Its arguments travel as one block: each task's encoded argument tuple, one after
// another (the codec knows where each ends), so a chunk of 256 numbers is one copy, not
// 256 strings. A chunk with an empty task name tells the worker to exit.
//
// Worker -> parent (one queue shared by all workers): the chunk's outcomes: the encoded
// results of the tasks that succeeded, one after another, and an error for each other.
// Before any of those, each worker sends its start-up report (kStartUpReportJob).

#ifndef MP_POOL_INTERNAL_WIRE_H_
#define MP_POOL_INTERNAL_WIRE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/arg_codec.h"

namespace mp::internal {

struct ChunkMessage {
  uint64_t job = 0;
  uint64_t first_index = 0;  // of the chunk's first task within its job
  uint64_t count = 0;        // tasks in the chunk
  std::string_view task_name = {};
  std::string_view args = {};  // `count` encoded argument tuples
};

// A task that failed: its index within its chunk, and its status: code, message, and
// the details of an exception it threw (pool/task_exception.h), empty if it threw none.
struct TaskError {
  uint64_t index = 0;
  int32_t code = 0;  // absl::StatusCode
  std::string message = {};
  std::string exception = {};
};

// Appends the same error for each of a chunk's tasks from `first` up to `count`.
void FailTasks(uint64_t first, uint64_t count, absl::StatusCode code, const std::string& message,
               std::vector<TaskError>& errors);

// A ResultMessage for this job (no real job has it: their ids start at 1) is a worker's
// start-up report, sent once it has attached to its queues and run the pool's
// initializer. With no error the worker runs and takes chunks; with one, the error says
// why it cannot (the initializer's own error, say), and the worker exits.
inline constexpr uint64_t kStartUpReportJob = 0;

struct ResultMessage {
  uint64_t job = 0;
  uint64_t first_index = 0;
  uint64_t count = 0;
  int32_t worker_pid = 0;
  // How long the worker took to run the chunk's tasks, on its own steady clock: not the
  // time the chunk waited in the inbox, nor the time its answer waited to be collected.
  uint64_t run_ns = 0;
  std::string_view values = {};  // encoded results of the tasks not in `errors`, in order
  std::vector<TaskError> errors = {};  // sorted by index
};

// Decoded messages' string_views point into the bytes they were decoded from.
std::string EncodeChunk(const ChunkMessage& chunk);
absl::StatusOr<ChunkMessage> DecodeChunk(std::string_view bytes);
// Replaces `out` with the encoded results (reusing its memory: a worker sends many).
void EncodeResults(const ResultMessage& results, std::string& out);
absl::StatusOr<ResultMessage> DecodeResults(std::string_view bytes);
// Only the fixed fields (job, first_index, count, worker_pid, run_ns) of a results message whose
// body may be damaged: enough to tell whose answer it was.
absl::StatusOr<ResultMessage> DecodeResultsHeader(std::string_view bytes);

// A chunk message built in place, its arguments encoded straight into it (no copy):
//   std::string message;
//   size_t args_start = BeginChunk(header, message);   // header.args is ignored
//   ... append the arguments to message ...
//   EndChunk(args_start, message);
size_t BeginChunk(const ChunkMessage& header, std::string& out);
void EndChunk(size_t args_start, std::string& out);

template <>
struct CodecFor<TaskError> {
  static void Encode(const TaskError& error, std::string& out) {
    internal::Encode(error.index, out);
    internal::Encode(error.code, out);
    internal::Encode(error.message, out);
    internal::Encode(error.exception, out);
  }
  static bool Decode(std::string_view& in, TaskError& error) {
    return internal::Decode(in, error.index) && internal::Decode(in, error.code) &&
           internal::Decode(in, error.message) && internal::Decode(in, error.exception);
  }
};

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_WIRE_H_
