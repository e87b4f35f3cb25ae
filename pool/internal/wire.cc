#include "pool/internal/wire.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/arg_codec.h"

namespace mp::internal {
namespace {

absl::Status Damaged(const char* what) {
  return absl::DataLossError(std::string("a pool ") + what + " message arrived damaged");
}

// A block of bytes as the codec encodes a string (its length, then the bytes), read
// without copying.
void EncodeBlock(std::string_view block, std::string& out) {
  Encode(static_cast<uint64_t>(block.size()), out);
  out.append(block);
}
bool DecodeBlock(std::string_view& in, std::string_view& block) {
  uint64_t size = 0;
  if (!Decode(in, size) || size > in.size()) return false;
  block = in.substr(0, size);
  in.remove_prefix(size);
  return true;
}

}  // namespace

void FailTasks(uint64_t first, uint64_t count, absl::StatusCode code, const std::string& message,
               std::vector<TaskError>& errors) {
  for (uint64_t index = first; index < count; ++index) {
    errors.push_back({index, static_cast<int32_t>(code), message});
  }
}

size_t BeginChunk(const ChunkMessage& header, std::string& out) {
  Encode(header.job, out);
  Encode(header.first_index, out);
  Encode(header.count, out);
  EncodeBlock(header.task_name, out);
  Encode(uint64_t{0}, out);  // the arguments' length, set by EndChunk()
  return out.size();
}

void EndChunk(size_t args_start, std::string& out) {
  const uint64_t length = out.size() - args_start;
  std::memcpy(out.data() + args_start - sizeof length, &length, sizeof length);
}

std::string EncodeChunk(const ChunkMessage& chunk) {
  std::string out;
  const size_t args_start = BeginChunk(chunk, out);
  out.append(chunk.args);
  EndChunk(args_start, out);
  return out;
}

absl::StatusOr<ChunkMessage> DecodeChunk(std::string_view bytes) {
  ChunkMessage chunk;
  if (!Decode(bytes, chunk.job) || !Decode(bytes, chunk.first_index) ||
      !Decode(bytes, chunk.count) || !DecodeBlock(bytes, chunk.task_name) ||
      !DecodeBlock(bytes, chunk.args) || !bytes.empty()) {
    return Damaged("task");
  }
  return chunk;
}

void EncodeResults(const ResultMessage& results, std::string& out) {
  out.clear();
  Encode(results.job, out);
  Encode(results.first_index, out);
  Encode(results.count, out);
  Encode(results.worker_pid, out);
  Encode(results.run_ns, out);
  EncodeBlock(results.values, out);
  Encode(results.errors, out);
}

absl::StatusOr<ResultMessage> DecodeResultsHeader(std::string_view bytes) {
  ResultMessage header;
  if (!Decode(bytes, header.job) || !Decode(bytes, header.first_index) ||
      !Decode(bytes, header.count) || !Decode(bytes, header.worker_pid) ||
      !Decode(bytes, header.run_ns)) {
    return Damaged("result");
  }
  return header;
}

absl::StatusOr<ResultMessage> DecodeResults(std::string_view bytes) {
  ResultMessage results;
  if (!Decode(bytes, results.job) || !Decode(bytes, results.first_index) ||
      !Decode(bytes, results.count) || !Decode(bytes, results.worker_pid) ||
      !Decode(bytes, results.run_ns) || !DecodeBlock(bytes, results.values) ||
      !Decode(bytes, results.errors) || !bytes.empty()) {
    return Damaged("result");
  }
  return results;
}

}  // namespace mp::internal
