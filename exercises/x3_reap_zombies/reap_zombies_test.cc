// The grader for exercise X3 (run as `reap_zombies_test <program> <pass|fail>`; see
// exercises/grading/grading.h). It looks for zombies in /proc while the program, having
// said "ready", still runs.

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "gtest/gtest.h"
#include "process/testing/leak_check.h"
#include "process/testing/spawned_program.h"

namespace {

constexpr absl::Duration kTimeout = absl::Seconds(30);

// Whether `pid` ignores SIGCHLD (SigIgn in /proc/<pid>/status): its children are then
// reaped by the kernel, their statuses lost.
bool IgnoresSigchld(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(status, line);) {
    if (!absl::StartsWith(line, "SigIgn:")) continue;
    uint64_t mask = 0;
    if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(line.substr(7)), &mask)) return false;
    return (mask >> (SIGCHLD - 1)) & 1;
  }
  return false;
}

std::vector<std::string> GradeWithChildren(int children) {
  const std::string where = absl::StrCat(" (--children=", children, ")");
  absl::StatusOr<mp::test::SpawnedProgram> program = mp::test::SpawnedProgram::Start(
      mp::grading::Program(), {absl::StrCat("--children=", children)});
  if (!program.ok()) return {absl::StrCat("The program did not start: ", program.status().ToString())};
  std::vector<std::string> lines;
  while (lines.empty() || lines.back() != "ready") {
    absl::StatusOr<std::string> line = program->ReadLine(kTimeout);
    if (!line.ok()) {
      return {absl::StrCat("The program never printed \"ready\"", where, ": ",
                           line.status().ToString())};
    }
    lines.push_back(*line);
  }
  // The program is alive and says it is done with its children: none may remain.
  const std::vector<pid_t> left = mp::test::ChildrenOf(program->pid());
  const bool ignores_sigchld = IgnoresSigchld(program->pid());
  program->CloseStdin();
  absl::StatusOr<int> exit_code = program->Wait(kTimeout);

  std::vector<std::string> problems;
  if (!left.empty()) {
    problems.push_back(absl::StrCat(
        left.size(), " of its children were still in the process table", where,
        " after it printed \"ready\": zombies, unless they were reaped with waitpid(). "
        "Reap until waitpid() fails with ECHILD. (With WNOHANG, waitpid() returns 0 for a "
        "child that has not ended yet instead of waiting for it, so a loop that stops at 0 "
        "leaves it behind.) (HINTS.md, hints 1 and 3)."));
  }
  if (ignores_sigchld) {
    problems.push_back(absl::StrCat(
        "Your program ignores SIGCHLD", where, ": the kernel then reaps each child itself "
        "and throws its exit status away, so the statuses your program reports were never "
        "collected. Leave SIGCHLD alone and collect each status with waitpid() (HINTS.md, "
        "hint 2)."));
  }
  const std::vector<std::string> expected = {
      absl::StrCat("reaped ", children, " children"),
      absl::StrCat("exit statuses sum: ", children * (children + 1) / 2), "ready"};
  if (lines != expected) {
    std::string seen;
    for (const std::string& line : lines) absl::StrAppend(&seen, line, "\n");
    problems.push_back(absl::StrCat(
        mp::grading::ExpectedButSaw(absl::StrCat("\"", expected[0], "\", \"", expected[1],
                                                 "\", \"ready\"", where),
                                    seen),
        "\nEach child exits with its number: add up WEXITSTATUS(status) (HINTS.md, hint 2)."));
  }
  if (!exit_code.ok() || *exit_code != 0) {
    problems.push_back(absl::StrCat("The program should exit 0 once stdin closes", where, "."));
  }
  return problems;
}

// Pass criterion: with 1, 5 and 50 children, none is left (not even a zombie) when the
// program says "ready", and it reports the right count and sum of exit statuses.
TEST(ReapZombiesGrade, EveryChildIsReapedAndCounted) {
  std::vector<std::string> problems;
  for (int children : {1, 5, 50}) {
    for (std::string& problem : GradeWithChildren(children)) problems.push_back(std::move(problem));
    if (!problems.empty()) break;  // more children would tell the same mistakes again
  }
  mp::grading::Report(problems);
}

}  // namespace
