// What the scaling report measured, and what it derives from it, in a form that the
// Markdown, JSON and SVG writers (report_output.h) and the tests share.
//
// A Series is one engine running one workload at several worker counts. Each Point holds
// the repetitions' wall times (median and spread) and, from the median repetition, the
// CPU time each worker spent in tasks. Derive() adds speedup, efficiency and Karp-Flatt,
// always against the same series' one-worker median.

#ifndef MP_BENCHMARKS_SCALING_REPORT_H_
#define MP_BENCHMARKS_SCALING_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scaling/scaling_math.h"

namespace mp::scaling {

struct Point {
  int workers = 0;
  Spread wall_seconds = {};
  int64_t checksum = 0;
  // From the median repetition (C++ engines only): CPU seconds by worker.
  std::map<int64_t, double> cpu_seconds_by_worker = {};
  // Filled by Derive().
  double speedup = 0;
  double efficiency = 0;
  std::optional<double> karp_flatt = std::nullopt;
};

struct Series {
  std::string engine = {};    // "processes", "threads", "global_lock", "python_pool", ...
  std::string title = {};     // "Pool (processes)"
  std::string workload = {};  // "cpu", ...
  std::vector<Point> points = {};  // by increasing worker count
  std::string skipped = {};        // why there are no points, if there are none
};

struct Report {
  std::string machine = {};  // e.g. "AMD EPYC, 2 CPUs usable"
  std::string date = {};     // UTC, ISO 8601
  double work_scale = 1;
  double serial_fraction = 0.25;
  int repetitions = 0;
  std::map<std::string, std::string> descriptions = {};  // by workload, one line each
  std::vector<std::string> notes = {};              // shown under the tables
  std::vector<Series> series = {};
};

// Fills speedup, efficiency and Karp-Flatt of every point. A series without a one-worker
// point is compared with its fewest-worker point, scaled as if that were perfect.
void Derive(Report& report);

// Every workload in the report, in the order its first series appears.
std::vector<std::string> WorkloadsInOrder(const Report& report);

// The series of `engine` on `workload`, or nullptr.
const Series* FindSeries(const Report& report, const std::string& engine,
                         const std::string& workload);
// Its point at the most workers, or nullptr.
const Point* WidestPoint(const Series* series);

}  // namespace mp::scaling

#endif  // MP_BENCHMARKS_SCALING_REPORT_H_
