#include "exercises/progress_report.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/json.h"

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

std::string PathOfFileUri(absl::string_view uri) {
  absl::ConsumePrefix(&uri, "file://");
  return std::string(uri);
}

// "//exercises/q1_pool_map:grade" -> "//exercises/q1_pool_map"
std::string PackageOf(absl::string_view label) {
  return std::string(label.substr(0, label.find(':')));
}

std::string XmlUnescape(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const size_t end = text.find(';', i);
    if (end == absl::string_view::npos) {
      out.append(text.data() + i, text.size() - i);
      break;
    }
    const absl::string_view entity = text.substr(i + 1, end - i - 1);
    if (entity == "quot") out += '"';
    else if (entity == "amp") out += '&';
    else if (entity == "lt") out += '<';
    else if (entity == "gt") out += '>';
    else if (entity == "apos") out += '\'';
    else if (entity == "#x0A" || entity == "#10") out += '\n';
    else out += absl::StrCat("&", entity, ";");
    i = end;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& CourseOrder() {
  static const auto* order = new std::vector<std::string>{
      "q3_create_process", "x3_reap_zombies",  "q6_print_numbers",  "q1_pool_map",
      "q5_worker_pool",    "x5_survive_a_crash", "x1_pipe_ping_pong", "x2_shared_counter",
      "x9_pipeline",       "x7_build_a_pool",    "x8_map_reduce",      "x10_ctrl_c",
      "x4_parallel_primes", "x6_processes_vs_threads"};
  return *order;
}

std::vector<std::string> InCourseOrder(std::vector<std::string> names) {
  auto rank = [](const std::string& name) {
    const std::vector<std::string>& order = CourseOrder();
    return static_cast<size_t>(std::find(order.begin(), order.end(), name) - order.begin());
  };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return std::make_pair(rank(a), a) < std::make_pair(rank(b), b);
  });
  return names;
}

BuildEvents ParseBuildEvents(absl::string_view json_lines) {
  BuildEvents events;
  for (absl::string_view line : absl::StrSplit(json_lines, '\n', absl::SkipEmpty())) {
    const Json event = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object() || !event.contains("id")) continue;  // not an event we know
    const Json& id = event["id"];
    auto text = [](const Json& object, const char* key) {
      return object.is_object() && object.contains(key) && object[key].is_string()
                 ? object[key].get<std::string>()
                 : std::string();
    };
    if (id.contains("testSummary")) {
      const std::string label = text(id["testSummary"], "label");
      const std::string status = text(event.value("testSummary", Json::object()), "overallStatus");
      if (!label.empty() && !status.empty()) events.test_status[label] = status;
    } else if (id.contains("testResult")) {
      const std::string label = text(id["testResult"], "label");
      const Json outputs =
          event.value("testResult", Json::object()).value("testActionOutput", Json::array());
      for (const Json& output : outputs) {
        if (!label.empty() && text(output, "name") == "test.xml") {
          events.test_xml[label] = PathOfFileUri(text(output, "uri"));
        }
      }
    } else if (id.contains("actionCompleted")) {
      // A failed action (a compile): its stderr file holds the compiler's words.
      const std::string label = text(id["actionCompleted"], "label");
      const Json action = event.value("action", Json::object());
      if (action.value("success", false)) continue;
      const std::string stderr_uri = text(action.value("stderr", Json::object()), "uri");
      if (!label.empty() && !stderr_uri.empty()) {
        events.build_stderr[PackageOf(label)] = PathOfFileUri(stderr_uri);
      }
    }
  }
  return events;
}

std::string FailuresFromTestXml(absl::string_view xml) {
  std::vector<std::string> messages;
  constexpr absl::string_view kFailure = "<failure message=\"";
  for (size_t at = xml.find(kFailure); at != absl::string_view::npos; at = xml.find(kFailure, at)) {
    at += kFailure.size();
    const size_t end = xml.find('"', at);
    if (end == absl::string_view::npos) break;
    std::string message = XmlUnescape(xml.substr(at, end - at));
    // gtest starts each with "file:line\nFailed\n\n": the grader's words come after.
    const size_t words = message.find("Failed\n");
    if (words != std::string::npos) message = message.substr(words + 7);
    messages.push_back(std::string(absl::StripAsciiWhitespace(message)));
  }
  return absl::StrJoin(messages, "\n\n");
}

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
  Json tests = Json::array();
  int score = 0;
  for (const ExerciseResult& result : results) {
    const bool passed = result.grade == Grade::kPassed;
    score += passed ? 1 : 0;
    tests.push_back({{"name", result.name + ": " + result.title},
                     {"score", passed ? 1 : 0},
                     {"max_score", 1},
                     {"status", passed ? "passed" : "failed"},
                     {"output", passed                 ? std::string("passed")
                                : result.output.empty() ? std::string(GradeText(result.grade))
                                                        : result.output}});
  }
  return WriteJson({{"score", score}, {"max_score", results.size()}, {"tests", tests}});
}

}  // namespace mp::exercises
