#include "exercises/progress_report.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mp::exercises {
namespace {

absl::string_view GradeText(Grade grade) {
  switch (grade) {
    case Grade::kPassed: return "done";
    case Grade::kFailed: return "not yet";
    case Grade::kDoesNotBuild: return "not yet (does not build)";
    case Grade::kNotRun: return "not graded";
  }
  return "?";
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string TitleFrom(absl::string_view readme) {
  for (absl::string_view line : absl::StrSplit(readme, '\n')) {
    if (absl::ConsumePrefix(&line, "# ")) return std::string(absl::StripAsciiWhitespace(line));
  }
  return "";
}

std::string FirstHintFrom(absl::string_view hints) {
  std::vector<std::string> words;
  bool inside = false;
  for (absl::string_view line : absl::StrSplit(hints, '\n')) {
    if (absl::StartsWith(line, "1. ")) {
      inside = true;
      line.remove_prefix(3);
    } else if (inside && absl::StartsWith(line, "2. ")) {
      break;
    }
    if (!inside) continue;
    for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      words.push_back(std::string(word));
    }
  }
  return absl::StrJoin(words, " ");
}

std::string GraderWords(absl::string_view bazel_output) {
  std::vector<absl::string_view> kept;
  bool inside = false;
  for (absl::string_view line : absl::StrSplit(bazel_output, '\n')) {
    if (absl::StrContains(line, "==== Test output for")) {
      inside = true;
    } else if (inside && absl::StartsWith(line, "=====")) {
      inside = false;
    } else if (inside) {
      kept.push_back(line);
    }
  }
  if (kept.empty()) {
    for (absl::string_view line : absl::StrSplit(bazel_output, '\n')) {
      if (absl::StrContains(line, "error")) kept.push_back(line);
    }
  }
  return kept.empty() ? std::string(bazel_output) : absl::StrJoin(kept, "\n");
}

std::string ProgressTable(const std::vector<ExerciseResult>& results) {
  std::string out = "| exercise | what | status |\n|---|---|---|\n";
  const ExerciseResult* next = nullptr;
  int done = 0;
  for (const ExerciseResult& result : results) {
    absl::StrAppend(&out, "| ", result.name, " | ", result.title, " | ", GradeText(result.grade),
                    " |\n");
    if (result.grade == Grade::kPassed) {
      ++done;
    } else if (next == nullptr) {
      next = &result;
    }
  }
  absl::StrAppend(&out, "\n", done, " of ", results.size(), " done.\n");
  if (next == nullptr) return out + "Every exercise passes its grader. Well done.\n";
  absl::StrAppend(&out, "\nNext: ", next->name, " (", next->title, ")\n",
                  "  read   exercises/", next->name, "/README.md\n",
                  "  grade  ./bazelw test //exercises/", next->name, ":grade\n",
                  "  hint   ", next->first_hint, "\n");
  return out;
}

std::string GradescopeJson(const std::vector<ExerciseResult>& results) {
  std::vector<std::string> tests;
  int score = 0;
  for (const ExerciseResult& result : results) {
    const bool passed = result.grade == Grade::kPassed;
    score += passed ? 1 : 0;
    tests.push_back(absl::StrCat(
        "    {\"name\": ", JsonString(result.name + ": " + result.title),
        ", \"score\": ", passed ? 1 : 0, ", \"max_score\": 1, \"status\": ",
        passed ? "\"passed\"" : "\"failed\"", ", \"output\": ",
        JsonString(passed ? "passed" : result.output.empty() ? std::string(GradeText(result.grade))
                                                             : result.output),
        "}"));
  }
  return absl::StrCat("{\n  \"score\": ", score, ",\n  \"max_score\": ", results.size(),
                      ",\n  \"tests\": [\n", absl::StrJoin(tests, ",\n"), "\n  ]\n}\n");
}

}  // namespace mp::exercises
