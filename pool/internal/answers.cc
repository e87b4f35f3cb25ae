#include "pool/internal/answers.h"

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "pool/internal/wire.h"

namespace mp::internal {
namespace {

bool IsForItsRunningChunk(const ResultMessage& results, const Sender& sender) {
  return sender.known && !sender.out_of_step && sender.running.has_value() &&
         sender.running->job_id == results.job &&
         sender.running->first_index == results.first_index &&
         sender.running->count == results.count;
}

Verdict Judged(Verdict::Kind kind, int32_t pid, absl::Status why = absl::OkStatus()) {
  return {.kind = kind, .worker_pid = pid, .results = {}, .why = std::move(why)};
}

// An answer that is not its sender's running chunk's: see answers.h.
Verdict JudgeStray(std::string_view message, const absl::StatusOr<ResultMessage>& decoded,
                   absl::FunctionRef<Sender(int32_t pid)> sender_of) {
  const absl::StatusOr<ResultMessage> header = DecodeResultsHeader(message);
  if (!header.ok()) {
    return Judged(Verdict::Kind::kBreakPool, 0,
                  absl::DataLossError(
                      "an answer on the pool's results queue arrived damaged beyond reading (did "
                      "a task write over memory it does not own?); the pool cannot tell whose it "
                      "was"));
  }
  const Sender sender = sender_of(header->worker_pid);
  // From a worker gone or stopped already, or with no chunk: the chunk it answers is
  // settled (failed, or handed to another worker), and nothing waits for this.
  if (!sender.known || sender.out_of_step || !sender.running.has_value()) {
    return Judged(Verdict::Kind::kIgnore, header->worker_pid);
  }
  const ChunkId& running = *sender.running;
  std::string what;
  if (!decoded.ok()) {
    what = "arrived damaged";
  } else if (header->job == running.job_id && header->first_index == running.first_index) {
    what = absl::StrCat("was for ", header->count, " tasks while its chunk has ", running.count);
  } else {
    what = absl::StrCat("named tasks ", header->first_index, ".. of job ", header->job,
                        " while it was running tasks ", running.first_index, ".. of job ",
                        running.job_id);
  }
  return Judged(Verdict::Kind::kFailRunning, header->worker_pid,
                absl::DataLossError(absl::StrCat("worker ", header->worker_pid, "'s answer ", what)));
}

}  // namespace

Verdict JudgeAnswer(std::string_view message, absl::FunctionRef<Sender(int32_t pid)> sender_of) {
  if (message.empty()) return {};  // a nudge: wakes a collector, carries nothing
  absl::StatusOr<ResultMessage> results = DecodeResults(message);
  if (results.ok()) {
    const Sender sender = sender_of(results->worker_pid);
    if (results->job == kStartUpReportJob && !sender.started) {
      if (!sender.known) return Judged(Verdict::Kind::kIgnore, results->worker_pid);
      if (results->errors.empty()) return Judged(Verdict::Kind::kStarted, results->worker_pid);
      return Judged(Verdict::Kind::kCannotStart, results->worker_pid,
                    absl::FailedPreconditionError(absl::StrCat(
                        "worker ", results->worker_pid, " cannot start: ", results->errors.front().message)));
    }
    // (A second start-up report is out of step: a worker reports once.)
    if (results->job != kStartUpReportJob && IsForItsRunningChunk(*results, sender)) {
      for (TaskError& error : results->errors) {
        error.message = absl::StrCat("task ", results->first_index + error.index, " failed in worker ",
                                     results->worker_pid, ": ", error.message);
      }
      Verdict verdict = Judged(Verdict::Kind::kFile, results->worker_pid);
      verdict.results = *std::move(results);
      return verdict;
    }
  }
  return JudgeStray(message, results, sender_of);
}

}  // namespace mp::internal
