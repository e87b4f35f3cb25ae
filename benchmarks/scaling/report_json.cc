// JsonReport(): the report as JSON, through base/json.h like every JSON file the project
// writes.

#include <string>

#include "base/json.h"
#include "benchmarks/scaling/report.h"
#include "benchmarks/scaling/report_output.h"

namespace mp::scaling {
namespace {

Json PointJson(const Point& point) {
  Json cpu = Json::object();
  for (const auto& [worker, seconds] : point.cpu_seconds_by_worker) {
    cpu[std::to_string(worker)] = seconds;
  }
  return {{"workers", point.workers},
          {"wall_seconds",
           {{"median", point.wall_seconds.median},
            {"min", point.wall_seconds.min},
            {"max", point.wall_seconds.max}}},
          {"speedup", point.speedup},
          {"efficiency", point.efficiency},
          {"karp_flatt", point.karp_flatt ? Json(*point.karp_flatt) : Json(nullptr)},
          {"checksum", point.checksum},
          {"cpu_seconds_by_worker", cpu}};
}

Json SeriesJson(const Series& series) {
  Json points = Json::array();
  for (const Point& point : series.points) points.push_back(PointJson(point));
  return {{"engine", series.engine},
          {"title", series.title},
          {"workload", series.workload},
          {"skipped", series.skipped},
          {"points", points}};
}

}  // namespace

std::string JsonReport(const Report& report) {
  Json series = Json::array();
  for (const Series& one : report.series) series.push_back(SeriesJson(one));
  Json descriptions = Json::object();
  for (const auto& [workload, text] : report.descriptions) descriptions[workload] = text;
  return WriteJson({{"machine", report.machine},
                    {"date", report.date},
                    {"work_scale", report.work_scale},
                    {"serial_fraction", report.serial_fraction},
                    {"repetitions", report.repetitions},
                    {"workloads", descriptions},
                    {"headlines", Headlines(report)},
                    {"notes", report.notes},
                    {"series", series}});
}

}  // namespace mp::scaling
