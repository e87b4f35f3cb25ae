#include "exercises/grading/grading.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace mp::grading {
namespace {

std::string& ProgramPath() {
  static auto* path = new std::string();
  return *path;
}
bool expect_pass = true;

std::vector<std::string>& ProblemsFound() {  // by every test of this grader
  static auto* problems = new std::vector<std::string>();
  return *problems;
}

}  // namespace


const std::string& Program() { return ProgramPath(); }
bool ExpectPass() { return expect_pass; }

void SetProgram(std::string program, bool pass) {
  ProgramPath() = std::move(program);
  expect_pass = pass;
}

void Report(const std::vector<std::string>& problems) {
  ProblemsFound().insert(ProblemsFound().end(), problems.begin(), problems.end());
  if (!expect_pass) {
    // The verdict is main()'s (grading_main.cc); the log shows what was found.
    for (const std::string& problem : problems) std::printf("found, as expected:\n%s\n\n", problem.c_str());
    return;
  }
  for (const std::string& problem : problems) ADD_FAILURE() << "\n" << problem << "\n";
}

const std::vector<std::string>& ProblemsReported() { return ProblemsFound(); }

namespace {
std::string& SpeedNotJudgedReason() {
  static auto* why = new std::string();
  return *why;
}
}  // namespace

void NoteSpeedNotJudged(std::string why) { SpeedNotJudgedReason() = std::move(why); }
const std::string& SpeedNotJudged() { return SpeedNotJudgedReason(); }

std::vector<std::string> Lines(absl::string_view text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string ExpectedButSaw(absl::string_view expected, absl::string_view seen) {
  std::vector<std::string> quoted;
  for (const std::string& line : Lines(seen)) quoted.push_back(absl::StrCat("    | ", line));
  return absl::StrCat("Expected ", expected, ", but the program printed",
                      seen.empty() ? " nothing." : ":\n" + absl::StrJoin(quoted, "\n"));
}

}  // namespace mp::grading
