// Each rule of answers.h, without processes: a message as a worker would send it, and
// what the pool knows of its sender.

#include "pool/internal/answers.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pool/internal/wire.h"

namespace mp::internal {
namespace {

using ::testing::HasSubstr;
using Kind = Verdict::Kind;

constexpr int32_t kPid = 812;

std::string Answer(ResultMessage results) {
  std::string message;
  EncodeResults(results, message);
  return message;
}

// A worker of the pool, started, running tasks 10..13 of job 5.
Sender Running() {
  return {.known = true, .out_of_step = false, .started = true,
          .running = ChunkId{.job_id = 5, .first_index = 10, .count = 4}};
}

Verdict Judge(const std::string& message, Sender sender) {
  return JudgeAnswer(message, [&](int32_t pid) { return pid == kPid ? sender : Sender{}; });
}

TEST(AnswersTest, TheAnswerToTheRunningChunkIsFiledWithItsErrorsSayingWhichTaskAndWorker) {
  const std::string message = Answer({.job = 5, .first_index = 10, .count = 4, .worker_pid = kPid,
                                      .values = "abc",
                                      .errors = {{.index = 2, .code = 3, .message = "bad input"}}});
  const Verdict verdict = Judge(message, Running());
  ASSERT_EQ(verdict.kind, Kind::kFile);
  EXPECT_EQ(verdict.results.values, "abc");
  ASSERT_EQ(verdict.results.errors.size(), 1u);
  EXPECT_EQ(verdict.results.errors[0].message, "task 12 failed in worker 812: bad input");
}

TEST(AnswersTest, AnAnswerForAnotherChunkFailsTheRunningOneWithDataLoss) {
  const Verdict verdict =
      Judge(Answer({.job = 5, .first_index = 14, .count = 4, .worker_pid = kPid}), Running());
  EXPECT_EQ(verdict.kind, Kind::kFailRunning);
  EXPECT_EQ(verdict.why.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(verdict.why.message(), HasSubstr("named tasks 14.. of job 5 while it was running tasks 10.. of job 5"));
}

TEST(AnswersTest, AnAnswerForTheWrongNumberOfTasksFailsTheRunningChunk) {
  const Verdict verdict =
      Judge(Answer({.job = 5, .first_index = 10, .count = 3, .worker_pid = kPid}), Running());
  EXPECT_EQ(verdict.kind, Kind::kFailRunning);
  EXPECT_THAT(verdict.why.message(), HasSubstr("was for 3 tasks while its chunk has 4"));
}

TEST(AnswersTest, AnAnswerCutShortFailsTheRunningChunk) {
  std::string message = Answer({.job = 5, .first_index = 10, .count = 4, .worker_pid = kPid,
                                .errors = {{.index = 0, .code = 3, .message = "long enough"}}});
  message.resize(message.size() - 3);
  const Verdict verdict = Judge(message, Running());
  EXPECT_EQ(verdict.kind, Kind::kFailRunning);
  EXPECT_THAT(verdict.why.message(), HasSubstr("arrived damaged"));
}

TEST(AnswersTest, AnAnswerWhoseSenderCannotBeReadBreaksThePool) {
  const Verdict verdict = Judge("\x01", Running());
  EXPECT_EQ(verdict.kind, Kind::kBreakPool);
  EXPECT_EQ(verdict.why.code(), absl::StatusCode::kDataLoss);
}

TEST(AnswersTest, AnswersNothingWaitsForAreIgnored) {
  const std::string stray = Answer({.job = 9, .first_index = 0, .count = 1, .worker_pid = kPid});
  EXPECT_EQ(Judge("", Running()).kind, Kind::kIgnore);  // a nudge
  EXPECT_EQ(Judge(stray, Sender{}).kind, Kind::kIgnore);  // from a worker gone
  Sender stopped = Running();
  stopped.out_of_step = true;
  EXPECT_EQ(Judge(stray, stopped).kind, Kind::kIgnore);
  Sender idle = Running();
  idle.running = std::nullopt;
  EXPECT_EQ(Judge(stray, idle).kind, Kind::kIgnore);
  // Even the right chunk's answer, from a worker stopped for being out of step.
  EXPECT_EQ(Judge(Answer({.job = 5, .first_index = 10, .count = 4, .worker_pid = kPid}), stopped).kind,
            Kind::kIgnore);
}

TEST(AnswersTest, AStartUpReportSaysTheWorkerRunsOrWhyItCannot) {
  Sender starting = {.known = true};
  EXPECT_EQ(Judge(Answer({.job = kStartUpReportJob, .worker_pid = kPid}), starting).kind, Kind::kStarted);
  const Verdict cannot = Judge(
      Answer({.job = kStartUpReportJob, .worker_pid = kPid,
              .errors = {{.index = 0, .code = 9, .message = "the pool's initializer failed: no database"}}}),
      starting);
  EXPECT_EQ(cannot.kind, Kind::kCannotStart);
  EXPECT_EQ(cannot.why.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(cannot.why.message(), HasSubstr("worker 812 cannot start: the pool's initializer failed: no database"));
  // From a worker stopped before its report arrived.
  EXPECT_EQ(Judge(Answer({.job = kStartUpReportJob, .worker_pid = kPid}), Sender{}).kind, Kind::kIgnore);
}

TEST(AnswersTest, ASecondStartUpReportIsOutOfStep) {
  // A task can forge one (it can write to the results queue): it must not pass as a
  // report, nor be dropped while a chunk waits.
  const Verdict verdict = Judge(Answer({.job = kStartUpReportJob, .first_index = 12345, .count = 1,
                                        .worker_pid = kPid}),
                                Running());
  EXPECT_EQ(verdict.kind, Kind::kFailRunning);
  EXPECT_THAT(verdict.why.message(), HasSubstr("named tasks 12345.. of job 0"));
}

}  // namespace
}  // namespace mp::internal
