#include "benchmarks/scaling/report.h"

#include <algorithm>
#include <string>
#include <vector>

#include "scaling/scaling_math.h"

namespace mp::scaling {

void Derive(Report& report) {
  for (Series& series : report.series) {
    if (series.points.empty()) continue;
    const Point& base = series.points.front();
    // Time one worker would take, if `base` used its workers perfectly.
    const double one_worker_seconds = base.wall_seconds.median * base.workers;
    for (Point& point : series.points) {
      point.speedup = Speedup(one_worker_seconds, point.wall_seconds.median);
      point.efficiency = Efficiency(point.speedup, point.workers);
      point.karp_flatt = KarpFlatt(point.speedup, point.workers);
    }
  }
}

std::vector<std::string> WorkloadsInOrder(const Report& report) {
  std::vector<std::string> workloads;
  for (const Series& series : report.series) {
    if (std::find(workloads.begin(), workloads.end(), series.workload) == workloads.end()) {
      workloads.push_back(series.workload);
    }
  }
  return workloads;
}

const Series* FindSeries(const Report& report, const std::string& engine,
                         const std::string& workload) {
  for (const Series& series : report.series) {
    if (series.engine == engine && series.workload == workload) return &series;
  }
  return nullptr;
}

const Point* WidestPoint(const Series* series) {
  if (series == nullptr || series->points.empty()) return nullptr;
  return &series->points.back();
}

}  // namespace mp::scaling
