#include "pool/internal/wire.h"

#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "process/internal/arg_codec.h"

namespace mp::internal {
namespace {

using OutcomePair = std::pair<int32_t, std::string>;

absl::Status Damaged(const char* what) {
  return absl::DataLossError(std::string("a pool ") + what + " message arrived damaged");
}

}  // namespace

std::string EncodeChunk(const ChunkMessage& chunk) {
  return EncodeAll(chunk.job, chunk.first_index, chunk.task_name, chunk.encoded_args);
}

absl::StatusOr<ChunkMessage> DecodeChunk(std::string_view bytes) {
  std::tuple<uint64_t, uint64_t, std::string, std::vector<std::string>> fields;
  if (!DecodeAll(bytes, fields)) return Damaged("task");
  auto& [job, first_index, task_name, encoded_args] = fields;
  return ChunkMessage{job, first_index, std::move(task_name), std::move(encoded_args)};
}

std::string EncodeResults(ResultMessage results) {
  std::vector<OutcomePair> outcomes;
  outcomes.reserve(results.outcomes.size());
  for (TaskOutcome& outcome : results.outcomes) outcomes.emplace_back(outcome.code, std::move(outcome.bytes));
  return EncodeAll(results.job, results.first_index, results.worker_pid, outcomes);
}

absl::StatusOr<ResultMessage> DecodeResults(std::string_view bytes) {
  std::tuple<uint64_t, uint64_t, int32_t, std::vector<OutcomePair>> fields;
  if (!DecodeAll(bytes, fields)) return Damaged("result");
  auto& [job, first_index, worker_pid, pairs] = fields;
  ResultMessage results{.job = job, .first_index = first_index, .worker_pid = worker_pid};
  for (auto& [code, data] : pairs) results.outcomes.push_back({code, std::move(data)});
  return results;
}

TaskOutcome OutcomeOf(const absl::StatusOr<std::string>& result) {
  if (result.ok()) return {0, *result};
  return {static_cast<int32_t>(result.status().code()), std::string(result.status().message())};
}

absl::StatusOr<std::string> StatusOrOf(TaskOutcome outcome) {
  if (outcome.code == 0) return std::move(outcome.bytes);
  return absl::Status(static_cast<absl::StatusCode>(outcome.code), outcome.bytes);
}

}  // namespace mp::internal
