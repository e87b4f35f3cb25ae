// JsonReport(): written by hand (the system has no JSON library for C++ we may use), so
// every string goes through Quoted().

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "benchmarks/scaling/report.h"
#include "benchmarks/scaling/report_output.h"

namespace mp::scaling {
namespace {

std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Number(double value) { return absl::StrFormat("%.9g", value); }

std::string PointJson(const Point& point) {
  std::vector<std::string> cpu;
  for (const auto& [worker, seconds] : point.cpu_seconds_by_worker) {
    cpu.push_back(absl::StrCat(Quoted(absl::StrCat(worker)), ": ", Number(seconds)));
  }
  return absl::StrCat(
      "{\"workers\": ", point.workers, ", \"wall_seconds\": {\"median\": ",
      Number(point.wall_seconds.median), ", \"min\": ", Number(point.wall_seconds.min),
      ", \"max\": ", Number(point.wall_seconds.max), "}, \"speedup\": ", Number(point.speedup),
      ", \"efficiency\": ", Number(point.efficiency),
      ", \"karp_flatt\": ", point.karp_flatt ? Number(*point.karp_flatt) : "null",
      ", \"checksum\": ", point.checksum, ", \"cpu_seconds_by_worker\": {",
      absl::StrJoin(cpu, ", "), "}}");
}

std::string SeriesJson(const Series& series) {
  std::vector<std::string> points;
  for (const Point& point : series.points) points.push_back(PointJson(point));
  return absl::StrCat("    {\"engine\": ", Quoted(series.engine), ", \"title\": ",
                      Quoted(series.title), ", \"workload\": ", Quoted(series.workload),
                      ", \"skipped\": ", Quoted(series.skipped), ",\n     \"points\": [\n      ",
                      absl::StrJoin(points, ",\n      "), "]}");
}

}  // namespace

std::string JsonReport(const Report& report) {
  std::vector<std::string> series, notes, headlines, descriptions;
  for (const Series& one : report.series) series.push_back(SeriesJson(one));
  for (const std::string& note : report.notes) notes.push_back(Quoted(note));
  for (const std::string& line : Headlines(report)) headlines.push_back(Quoted(line));
  for (const auto& [workload, text] : report.descriptions) {
    descriptions.push_back(absl::StrCat(Quoted(workload), ": ", Quoted(text)));
  }
  return absl::StrCat(
      "{\n  \"machine\": ", Quoted(report.machine), ",\n  \"date\": ", Quoted(report.date),
      ",\n  \"work_scale\": ", Number(report.work_scale),
      ",\n  \"serial_fraction\": ", Number(report.serial_fraction),
      ",\n  \"repetitions\": ", report.repetitions,
      ",\n  \"workloads\": {", absl::StrJoin(descriptions, ", "), "}",
      ",\n  \"headlines\": [", absl::StrJoin(headlines, ", "), "]",
      ",\n  \"notes\": [", absl::StrJoin(notes, ", "), "]",
      ",\n  \"series\": [\n", absl::StrJoin(series, ",\n"), "\n  ]\n}\n");
}

}  // namespace mp::scaling
