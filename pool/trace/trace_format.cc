#include "pool/trace/trace_format.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mp::trace {
namespace {

bool IsNonNegativeNumber(const Json& event, const char* field) {
  return event.contains(field) && event[field].is_number() && event[field].get<double>() >= 0;
}

// The problems of one event, "" if none.
std::string EventProblem(const Json& event) {
  if (!event.is_object()) return "an event that is not an object";
  if (!event.contains("name") || !event["name"].is_string()) return "an event without a string \"name\"";
  if (!event.contains("ph") || !event["ph"].is_string()) return "an event without a string \"ph\"";
  if (!event.contains("pid") || !event["pid"].is_number_integer()) return "an event without an integer \"pid\"";
  if (!event.contains("tid") || !event["tid"].is_number_integer()) return "an event without an integer \"tid\"";
  if (!IsNonNegativeNumber(event, "ts")) return "an event without a \"ts\" of 0 or more";
  const std::string ph = event["ph"];
  if (ph == "X") {
    if (!IsNonNegativeNumber(event, "dur")) return "a complete event (X) without a \"dur\" of 0 or more";
  } else if (ph == "i") {
    if (event.contains("s") && !(event["s"] == "g" || event["s"] == "p" || event["s"] == "t")) {
      return "an instant event (i) whose scope \"s\" is not g, p or t";
    }
  } else if (ph == "M") {
    if (event["name"] != "process_name" && event["name"] != "thread_name") {
      return "a metadata event (M) that is neither process_name nor thread_name";
    }
    if (!event.contains("args") || !event["args"].contains("name") || !event["args"]["name"].is_string()) {
      return "a metadata event (M) without args.name";
    }
  } else {
    return absl::StrCat("an event of phase \"", ph, "\", which this project does not write");
  }
  return "";
}

}  // namespace

std::vector<std::string> TraceFormatProblems(const Json& trace) {
  std::vector<std::string> problems;
  if (!trace.is_object() || !trace.contains("traceEvents") || !trace["traceEvents"].is_array()) {
    return {"not the JSON object form: no \"traceEvents\" array"};
  }
  if (trace.contains("displayTimeUnit") && trace["displayTimeUnit"] != "ms" && trace["displayTimeUnit"] != "ns") {
    problems.push_back("\"displayTimeUnit\" is neither \"ms\" nor \"ns\"");
  }
  std::set<int64_t> named, with_events;
  std::map<std::pair<int64_t, int64_t>, std::vector<std::pair<double, double>>> slices_by_thread;
  for (const Json& event : trace["traceEvents"]) {
    if (std::string problem = EventProblem(event); !problem.empty()) {
      problems.push_back(absl::StrCat(problem, ": ", event.dump()));
      continue;
    }
    const int64_t pid = event["pid"];
    with_events.insert(pid);
    if (event["ph"] == "M" && event["name"] == "process_name") named.insert(pid);
    if (event["ph"] == "X") {
      const double ts = event["ts"], dur = event["dur"];
      slices_by_thread[{pid, event["tid"].get<int64_t>()}].emplace_back(ts, ts + dur);
    }
  }
  for (int64_t pid : with_events) {
    if (named.count(pid) == 0) problems.push_back(absl::StrCat("process ", pid, " has no process_name event"));
  }
  for (auto& [thread, slices] : slices_by_thread) {
    // Sorted by start, longest first: each slice must fit inside every open one it starts in.
    std::sort(slices.begin(), slices.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    });
    std::vector<double> open_ends;
    for (const auto& [begin, end] : slices) {
      while (!open_ends.empty() && open_ends.back() <= begin) open_ends.pop_back();
      if (!open_ends.empty() && end > open_ends.back()) {
        problems.push_back(absl::StrCat("on pid ", thread.first, " tid ", thread.second, " a slice at ts ", begin,
                                        " overlaps the one before without nesting in it"));
        break;
      }
      open_ends.push_back(end);
    }
  }
  return problems;
}

}  // namespace mp::trace
