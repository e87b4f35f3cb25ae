#include "process/testing/speedup_by_turns.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/unique_fd.h"

namespace mp::test {
namespace {

double Median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const size_t middle = samples.size() / 2;
  return samples.size() % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2;
}

// Each contender's job times on 1 and on n workers, in the order they were taken.
struct Timings {
  std::vector<std::vector<double>> one;
  std::vector<std::vector<double>> many;
};

// Baseline first, then the subjects, all on 1 worker, then all on n; `rounds` times.
// Taking turns job by job means a change in the machine's load lands on every
// contender alike, not on whichever was measured last.
absl::StatusOr<Timings> TimeByTurns(const std::vector<const Contender*>& contenders, int workers,
                                    int rounds) {
  Timings timings{.one = std::vector<std::vector<double>>(contenders.size()),
                  .many = std::vector<std::vector<double>>(contenders.size())};
  for (int round = 0; round < rounds; ++round) {
    for (int n : {1, workers}) {
      for (size_t i = 0; i < contenders.size(); ++i) {
        absl::StatusOr<double> seconds = contenders[i]->seconds_on(n);
        if (!seconds.ok()) {
          return absl::Status(seconds.status().code(),
                              absl::StrCat(contenders[i]->name, " on ", n, " workers: ",
                                           seconds.status().message()));
        }
        (n == 1 ? timings.one : timings.many)[i].push_back(*seconds);
      }
    }
  }
  return timings;
}

enum class Verdict { kPass, kFail, kNoParallelism };

Verdict Judge(double baseline_speedup, double speedup, Expectation expectation,
              std::string& rule) {
  if (baseline_speedup < kLeastParallelSpeedup) {
    rule = absl::StrFormat("no parallelism to judge by: the baseline's %.2fx is below %.2fx",
                           baseline_speedup, kLeastParallelSpeedup);
    return Verdict::kNoParallelism;
  }
  if (expectation == Expectation::kScalesLikeBaseline) {
    const double least = kShareOfBaselineSpeedup * baseline_speedup;
    rule = absl::StrFormat("want >= %.2fx (%.0f%% of the baseline's)", least,
                           100 * kShareOfBaselineSpeedup);
    return speedup >= least ? Verdict::kPass : Verdict::kFail;
  }
  const double most = 1 + kShareOfBaselineGain * (baseline_speedup - 1);
  rule = absl::StrFormat("want <= %.2fx (at most %.0f%% of the baseline's gain)", most,
                         100 * kShareOfBaselineGain);
  return speedup <= most ? Verdict::kPass : Verdict::kFail;
}

}  // namespace

absl::string_view SanitizerName() {
#if defined(__SANITIZE_ADDRESS__)
  return "AddressSanitizer";
#elif defined(__SANITIZE_THREAD__)
  return "ThreadSanitizer";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return "AddressSanitizer";
#elif __has_feature(thread_sanitizer)
  return "ThreadSanitizer";
#else
  return "";
#endif
#else
  return "";
#endif
}

SpeedCheck RunSpeedCheck(const SpeedCheckOptions& options) {
  SpeedCheck check;
  if (!SanitizerName().empty() && !options.judge_under_sanitizers) {
    check.report = absl::StrCat("speed not judged: this binary is built with ", SanitizerName(),
                                ", which slows code unevenly (the unsanitized build judges it)");
    return check;
  }
  std::vector<const Contender*> contenders = {&options.baseline};
  for (const Subject& subject : options.subjects) contenders.push_back(&subject.contender);

  int judged_attempts = 0;
  for (int attempt = 1; attempt <= options.attempts; ++attempt) {
    absl::StatusOr<Timings> timings = TimeByTurns(contenders, options.workers, options.rounds);
    if (!timings.ok()) {
      check.outcome = SpeedCheck::kFail;
      absl::StrAppend(&check.report, "attempt ", attempt, ": ", timings.status().ToString(), "\n");
      return check;
    }
    std::vector<double> speedups;
    for (size_t i = 0; i < contenders.size(); ++i) {
      speedups.push_back(Median(timings->one[i]) / Median(timings->many[i]));
    }
    absl::StrAppend(&check.report, "attempt ", attempt, " (medians of ", options.rounds,
                    " jobs by turns, 1 vs ", options.workers, " workers):\n");
    absl::StrAppendFormat(&check.report, "  %s (baseline): %.3f s vs %.3f s, %.2fx\n",
                          options.baseline.name, Median(timings->one[0]),
                          Median(timings->many[0]), speedups[0]);
    bool all_passed = true;
    bool judged = true;
    for (size_t i = 0; i < options.subjects.size(); ++i) {
      std::string rule;
      const Verdict verdict =
          Judge(speedups[0], speedups[i + 1], options.subjects[i].expectation, rule);
      all_passed = all_passed && verdict == Verdict::kPass;
      judged = judged && verdict != Verdict::kNoParallelism;
      absl::StrAppendFormat(&check.report, "  %s: %.3f s vs %.3f s, %.2fx (%s): %s\n",
                            contenders[i + 1]->name, Median(timings->one[i + 1]),
                            Median(timings->many[i + 1]), speedups[i + 1], rule,
                            verdict == Verdict::kPass   ? "ok"
                            : verdict == Verdict::kFail ? "FAILED"
                                                        : "not judged");
    }
    if (judged) ++judged_attempts;
    if (judged && all_passed) {
      check.outcome = SpeedCheck::kPass;
      return check;
    }
  }
  check.outcome = judged_attempts >= kJudgedAttemptsToFail ? SpeedCheck::kFail
                                                           : SpeedCheck::kCannotJudge;
  if (check.outcome == SpeedCheck::kCannotJudge) {
    absl::StrAppend(&check.report, "not judged: only ", judged_attempts, " of ",
                    options.attempts, " attempts showed parallelism in the baseline (",
                    kJudgedAttemptsToFail, " needed): fewer than 2 CPUs were free for us\n");
  }
  return check;
}

absl::StatusOr<double> TimeRawForkWorkers(
    int workers, const std::function<int64_t(int worker, int workers)>& work, int64_t* answer) {
  if (workers < 1) return absl::InvalidArgumentError("TimeRawForkWorkers needs workers >= 1");
  absl::StatusOr<internal::Pipe> pipe = internal::MakePipe();
  if (!pipe.ok()) return pipe.status();

  const absl::Time start = absl::Now();
  std::vector<pid_t> children;
  absl::Status status = absl::OkStatus();
  for (int worker = 0; worker < workers; ++worker) {
    const pid_t pid = fork();
    if (pid < 0) {
      status = absl::ErrnoToStatus(errno, "fork");
      break;
    }
    if (pid == 0) {
      const int64_t result = work(worker, workers);
      // 8 bytes to a pipe are written whole or not at all (PIPE_BUF).
      const bool written = write(pipe->write_end.get(), &result, sizeof result) == sizeof result;
      _exit(written ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t child : children) {  // every child is reaped, even after a failed fork()
    int wait_status = 0;
    while (waitpid(child, &wait_status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
      status.Update(absl::InternalError(absl::StrCat("raw fork() worker ", child,
                                                     " did not exit 0 (wait status ",
                                                     wait_status, ")")));
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!status.ok()) return status;

  pipe->write_end.Reset();
  int64_t sum = 0;
  for (size_t i = 0; i < children.size(); ++i) {
    int64_t result = 0;
    if (read(pipe->read_end.get(), &result, sizeof result) != sizeof result) {
      return absl::DataLossError("a raw fork() worker's answer did not arrive whole");
    }
    sum += result;
  }
  if (answer != nullptr) *answer = sum;
  return seconds;
}

}  // namespace mp::test
