// MarkdownReport() and Headlines().

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmarks/scaling/report.h"
#include "benchmarks/scaling/report_output.h"
#include "scaling/scaling_math.h"

namespace mp::scaling {
namespace {

std::string Row(const Series& series, const Point& point) {
  return absl::StrFormat("| %s | %d | %.4f | %.0f%% | %.2f | %.2f | %s |\n", series.title,
                         point.workers, point.wall_seconds.median,
                         100 * point.wall_seconds.Relative(), point.speedup, point.efficiency,
                         point.karp_flatt ? absl::StrFormat("%.3f", *point.karp_flatt) : "-");
}

void AddProcessesVsThreads(const Report& report, std::vector<std::string>& lines) {
  const Point* processes = WidestPoint(FindSeries(report, "processes", "cpu"));
  const Point* threads = WidestPoint(FindSeries(report, "threads", "cpu"));
  const Point* locked = WidestPoint(FindSeries(report, "global_lock", "cpu"));
  if (processes != nullptr) {
    lines.push_back(absl::StrFormat(
        "CPU-bound Pool.Map at %d workers: parallel efficiency %.2f (target: at least 0.9), "
        "speedup %.2fx.",
        processes->workers, processes->efficiency, processes->speedup));
  }
  if (processes != nullptr && threads != nullptr && processes->workers == threads->workers) {
    const double ratio = processes->wall_seconds.median / threads->wall_seconds.median;
    lines.push_back(absl::StrFormat(
        "CPU-bound at %d workers, Pool takes %.2fx ThreadPool's time (target: at most 1.10x).",
        processes->workers, ratio));
  }
  if (locked != nullptr) {
    lines.push_back(absl::StrFormat(
        "CPU-bound at %d workers, threads under one global lock: speedup %.2fx (a GIL lets one "
        "thread compute at a time).",
        locked->workers, locked->speedup));
  }
}

void AddPythonRatios(const Report& report, std::vector<std::string>& lines) {
  const Point* ours = WidestPoint(FindSeries(report, "processes", "trivial"));
  const Point* python = WidestPoint(FindSeries(report, "python_pool", "trivial"));
  if (ours != nullptr && python != nullptr && ours->workers == python->workers) {
    lines.push_back(absl::StrFormat(
        "Trivial tasks at %d workers: Pool runs %.1fx the tasks per second of Python's "
        "multiprocessing.Pool (target: at least 20x).",
        ours->workers, python->wall_seconds.median / ours->wall_seconds.median));
  }
  const Point* python_cpu = WidestPoint(FindSeries(report, "python_pool", "cpu"));
  const Point* python_threads = WidestPoint(FindSeries(report, "python_threads", "cpu"));
  if (python_cpu != nullptr && python_threads != nullptr) {
    lines.push_back(absl::StrFormat(
        "Python, CPU-bound at %d workers: multiprocessing.Pool speedup %.2fx, threads %.2fx "
        "(the GIL).",
        python_cpu->workers, python_cpu->speedup, python_threads->speedup));
  }
}

void AddAmdahl(const Report& report, std::vector<std::string>& lines) {
  const Point* serial = WidestPoint(FindSeries(report, "processes", "serial"));
  if (serial == nullptr || !serial->karp_flatt) return;
  lines.push_back(absl::StrFormat(
      "Serial workload at %d workers: speedup %.2fx, Amdahl's bound %.2fx; Karp-Flatt estimates "
      "the serial fraction at %.3f (built in: %.3f).",
      serial->workers, serial->speedup, AmdahlSpeedup(report.serial_fraction, serial->workers),
      *serial->karp_flatt, report.serial_fraction));
}

}  // namespace

std::vector<std::string> Headlines(const Report& report) {
  std::vector<std::string> lines;
  AddProcessesVsThreads(report, lines);
  AddPythonRatios(report, lines);
  AddAmdahl(report, lines);
  return lines;
}

std::string MarkdownReport(const Report& report) {
  std::string out = absl::StrFormat(
      "# Scaling report\n\n%s, %s. Work scale %g, %d repetitions per point (more for "
      "the trivial workload, whose jobs last milliseconds): wall time is "
      "the median, spread is (max - min) / median. Speedup and efficiency are against the "
      "same engine at one worker; Karp-Flatt is the serial fraction that would explain the "
      "speedup.\n",
      report.machine, report.date, report.work_scale, report.repetitions);
  for (const std::string& workload : WorkloadsInOrder(report)) {
    const auto description = report.descriptions.find(workload);
    absl::StrAppend(&out, "\n## ", workload,
                    description == report.descriptions.end() ? "" : ": " + description->second,
                    "\n\n",
                    "| engine | workers | wall (s) | spread | speedup | efficiency | Karp-Flatt |\n",
                    "|---|--:|--:|--:|--:|--:|--:|\n");
    std::vector<std::string> skipped;
    for (const Series& series : report.series) {
      if (series.workload != workload) continue;
      for (const Point& point : series.points) absl::StrAppend(&out, Row(series, point));
      if (!series.skipped.empty()) skipped.push_back(series.title + ": " + series.skipped);
    }
    for (const std::string& line : skipped) absl::StrAppend(&out, "\nSkipped: ", line, "\n");
  }
  absl::StrAppend(&out, "\n## Headlines\n\n");
  for (const std::string& line : Headlines(report)) absl::StrAppend(&out, "- ", line, "\n");
  if (!report.notes.empty()) absl::StrAppend(&out, "\n## Notes\n\n");
  for (const std::string& note : report.notes) absl::StrAppend(&out, "- ", note, "\n");
  return out;
}

}  // namespace mp::scaling
