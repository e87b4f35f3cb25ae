#include "pool/internal/wire.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "process/internal/arg_codec.h"

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

std::string EncodeChunk(const ChunkMessage& chunk) {
  std::string out;
  out.reserve(chunk.task_name.size() + chunk.args.size() + 5 * sizeof(uint64_t));
  Encode(chunk.job, out);
  Encode(chunk.first_index, out);
  Encode(chunk.count, out);
  EncodeBlock(chunk.task_name, out);
  EncodeBlock(chunk.args, out);
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

std::string EncodeResults(const ResultMessage& results) {
  std::string out;
  out.reserve(results.values.size() + 6 * sizeof(uint64_t));
  Encode(results.job, out);
  Encode(results.first_index, out);
  Encode(results.count, out);
  Encode(results.worker_pid, out);
  EncodeBlock(results.values, out);
  Encode(results.errors, out);
  return out;
}

absl::StatusOr<ResultMessage> DecodeResults(std::string_view bytes) {
  ResultMessage results;
  if (!Decode(bytes, results.job) || !Decode(bytes, results.first_index) ||
      !Decode(bytes, results.count) || !Decode(bytes, results.worker_pid) ||
      !DecodeBlock(bytes, results.values) || !Decode(bytes, results.errors) || !bytes.empty()) {
    return Damaged("result");
  }
  return results;
}

}  // namespace mp::internal
