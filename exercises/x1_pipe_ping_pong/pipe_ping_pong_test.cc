// The grader for exercise X1 (run as `pipe_ping_pong_test <program> <pass|fail>`; see
// exercises/grading/grading.h). It runs the program with stdout a socket that names the
// process behind every line (grading/run_program.h).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"

namespace {

struct Line {
  pid_t writer;
  std::string text;
};

std::vector<std::string> GradeRounds(int rounds) {
  const std::string where = absl::StrCat(" (--rounds=", rounds, ")");
  absl::StatusOr<mp::grading::ObservedRun> observed = mp::grading::RunObserved(
      mp::grading::Program(), {absl::StrCat("--rounds=", rounds)}, absl::Seconds(10));
  if (!observed.ok()) {
    return {absl::StrCat("The program did not finish", where, ": ", observed.status().message())};
  }
  const mp::grading::AttributedRun* run = &observed->run;
  std::vector<Line> lines;
  std::string output;
  for (const mp::grading::Write& write : run->writes) {
    output += write.text;
    for (absl::string_view text : absl::StrSplit(write.text, '\n', absl::SkipEmpty())) {
      lines.push_back({write.writer, std::string(text)});
    }
  }
  std::vector<std::string> problems;
  if (run->exit_code != 0) {
    problems.push_back(absl::StrCat("The program should exit 0", where, ", not ", run->exit_code, "."));
  }
  if (!observed->unreaped_at_exit.empty() || !observed->running_at_exit.empty()) {
    problems.push_back(absl::StrCat(
        "Your program exited without reaping its child", where, ": ",
        observed->running_at_exit.empty() ? "it had ended, but nobody called waitpid() for it"
                                          : "it was still running",
        ". The parent closes its write end, then waitpid()s for the child, then prints "
        "\"done\" (HINTS.md, hint 4)."));
  }
  // Expected, in this order: child got ping i, parent got pong i, ..., done.
  std::vector<std::pair<bool, std::string>> expected;  // (by the child?, text)
  for (int i = 1; i <= rounds; ++i) {
    expected.push_back({true, absl::StrCat("child got ping ", i)});
    expected.push_back({false, absl::StrCat("parent got pong ", i)});
  }
  expected.push_back({false, "done"});
  size_t child_lines = 0;
  for (const Line& line : lines) child_lines += line.writer != run->pid ? 1 : 0;
  if (child_lines == 0 && observed->forks > 0) {
    problems.push_back(absl::StrCat(
        "No line came from your child", where, ", though it was created: its printf() stayed "
        "in its stdio buffer (stdout is not a terminal here) and _exit() threw the buffer "
        "away. The child must fflush(stdout) after each line (HINTS.md, hint 3)."));
    return problems;
  }
  if (lines.size() != expected.size()) {
    problems.push_back(absl::StrCat(
        mp::grading::ExpectedButSaw(absl::StrCat(expected.size(), " lines", where), output),
        "\nEach round is two lines, the child's then the parent's (HINTS.md, hint 3)."));
    return problems;
  }
  pid_t child = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& [by_child, text] = expected[i];
    if (lines[i].text != text) {
      // A child's line that arrives late was held in its stdio buffer.
      const bool child_line_late = by_child && lines[i].writer == run->pid;
      problems.push_back(absl::StrCat(
          "Line ", i + 1, where, " should be \"", text, "\", not \"", lines[i].text, "\".",
          child_line_late ? " The child's line had not arrived yet: a child's printf() stays in "
                            "its stdio buffer (stdout is not a terminal here) until it calls "
                            "fflush(stdout), which it must do before it sends its pong "
                            "(HINTS.md, hint 3)."
                          : ""));
      break;
    }
    const bool from_parent = lines[i].writer == run->pid;
    if (by_child && from_parent) {
      problems.push_back(absl::StrCat("\"", text, "\" was printed by your program's own "
                                      "process; the child, started with fork(), must print it "
                                      "(a thread is part of the same process) (HINTS.md, hint 1)."));
      break;
    }
    if (!by_child && !from_parent) {
      problems.push_back(absl::StrCat("\"", text, "\" was printed by process ", lines[i].writer,
                                      ", not by the parent (", run->pid, ")."));
      break;
    }
    if (by_child) {
      if (child != 0 && lines[i].writer != child) {
        problems.push_back(absl::StrCat("Rounds were answered by different processes (", child,
                                        " and ", lines[i].writer, "): use one child for the game."));
        break;
      }
      child = lines[i].writer;
    }
  }
  return problems;
}

// Pass criterion: for 1, 3 and 100 rounds, one child prints each ping it got, the parent
// each pong, strictly alternating, then "done"; exit 0, the child reaped by the program.
// A program that hangs is described (who is blocked on which pipe end) before it is
// killed (grading/hang_report.h).
TEST(PipePingPongGrade, OneChildAndTheParentAlternateEveryRound) {
  std::vector<std::string> problems;
  for (int rounds : {1, 3, 100}) {
    for (std::string& problem : GradeRounds(rounds)) problems.push_back(std::move(problem));
    if (!problems.empty()) break;  // more rounds would tell the same mistakes again
  }
  mp::grading::Report(problems);
}

}  // namespace
