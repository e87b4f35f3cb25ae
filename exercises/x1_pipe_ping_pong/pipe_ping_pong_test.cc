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
  absl::StatusOr<mp::grading::AttributedRun> run = mp::grading::RunAttributingOutput(
      mp::grading::Program(), {absl::StrCat("--rounds=", rounds)}, absl::Seconds(30));
  if (!run.ok()) return {absl::StrCat("The program did not finish", where, ": ", run.status().ToString())};
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
  // Expected, in this order: child got ping i, parent got pong i, ..., done.
  std::vector<std::pair<bool, std::string>> expected;  // (by the child?, text)
  for (int i = 1; i <= rounds; ++i) {
    expected.push_back({true, absl::StrCat("child got ping ", i)});
    expected.push_back({false, absl::StrCat("parent got pong ", i)});
  }
  expected.push_back({false, "done"});
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
      problems.push_back(absl::StrCat("Line ", i + 1, where, " should be \"", text, "\", not \"",
                                      lines[i].text, "\"."));
      break;
    }
    const bool from_parent = lines[i].writer == run->pid;
    if (by_child && from_parent) {
      problems.push_back(absl::StrCat("\"", text, "\" was printed by the parent; the child, "
                                      "started with fork(), must print it (HINTS.md, hint 1)."));
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
// each pong, strictly alternating, then "done"; exit 0.
TEST(PipePingPongGrade, OneChildAndTheParentAlternateEveryRound) {
  std::vector<std::string> problems;
  for (int rounds : {1, 3, 100}) {
    for (std::string& problem : GradeRounds(rounds)) problems.push_back(std::move(problem));
  }
  mp::grading::Report(problems);
}

}  // namespace
