// SvgChart(): plain SVG 1.1, drawn by hand; it opens in any browser.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/xml_text.h"
#include "benchmarks/scaling/report.h"
#include "benchmarks/scaling/report_output.h"
#include "scaling/scaling_math.h"

namespace mp::scaling {
namespace {

constexpr int kPanelWidth = 440;
constexpr int kPanelHeight = 300;
constexpr int kColumns = 2;
constexpr int kLegendHeight = 70;
constexpr int kLeft = 50, kRight = 15, kTop = 30, kBottom = 40;  // inside a panel

struct Style {
  const char* engine;
  const char* color;
  const char* dashes;  // stroke-dasharray; "none" for solid
};
constexpr Style kStyles[] = {
    {"processes", "#1f77b4", "none"},    {"threads", "#2ca02c", "none"},
    {"global_lock", "#d62728", "none"},  {"python_pool", "#9467bd", "6,3"},
    {"python_threads", "#ff7f0e", "6,3"},
};

Style StyleOf(const std::string& engine) {
  for (const Style& style : kStyles) {
    if (engine == style.engine) return style;
  }
  return {"", "#7f7f7f", "2,2"};
}

// Maps workers and speedup to a panel's pixels.
struct Axes {
  double origin_x, origin_y;  // top-left corner of the panel
  int max_workers;
  double max_speedup;
  double X(double workers) const {
    return origin_x + kLeft +
           (workers - 1) / std::max(1, max_workers - 1) * (kPanelWidth - kLeft - kRight);
  }
  double Y(double speedup) const {
    return origin_y + kPanelHeight - kBottom -
           speedup / max_speedup * (kPanelHeight - kTop - kBottom);
  }
};

std::string Line(const Axes& axes, const std::vector<std::pair<double, double>>& points,
                 const char* color, const char* dashes, double width) {
  std::vector<std::string> xy;
  for (const auto& [workers, speedup] : points) {
    xy.push_back(absl::StrFormat("%.1f,%.1f", axes.X(workers), axes.Y(speedup)));
  }
  return absl::StrFormat(
      "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-dasharray=\"%s\" "
      "points=\"%s\"/>\n",
      color, width, dashes, absl::StrJoin(xy, " "));
}

std::string Frame(const Axes& axes, const std::string& title) {
  std::string out = absl::StrFormat(
      "<text x=\"%.0f\" y=\"%.0f\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
      axes.origin_x + kLeft, axes.origin_y + 18, XmlEscaped(title));
  const int x_step = std::max(1, axes.max_workers / 8);
  for (int workers = 1; workers <= axes.max_workers; workers += x_step) {
    absl::StrAppendFormat(&out,
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                          "text-anchor=\"middle\">%d</text>\n",
                          axes.X(workers), axes.Y(0) + 14, workers);
  }
  const double y_step = std::max(1.0, std::ceil(axes.max_speedup / 8));
  for (double speedup = 0; speedup <= axes.max_speedup + 1e-9; speedup += y_step) {
    absl::StrAppendFormat(
        &out,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n"
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%g</text>\n",
        axes.X(1), axes.Y(speedup), axes.X(axes.max_workers), axes.Y(speedup),
        axes.X(1) - 4, axes.Y(speedup) + 3, speedup);
  }
  absl::StrAppendFormat(&out,
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                        "text-anchor=\"middle\">workers</text>\n"
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
                        "transform=\"rotate(-90 %.1f %.1f)\">speedup</text>\n",
                        (axes.X(1) + axes.X(axes.max_workers)) / 2, axes.Y(0) + 30,
                        axes.origin_x + 14, axes.origin_y + kPanelHeight / 2.0,
                        axes.origin_x + 14, axes.origin_y + kPanelHeight / 2.0);
  return out;
}

std::string Legend() {
  std::string out;
  int x = 20;
  for (const Style& style : kStyles) {
    absl::StrAppendFormat(&out,
                          "<line x1=\"%d\" y1=\"40\" x2=\"%d\" y2=\"40\" stroke=\"%s\" "
                          "stroke-width=\"2.5\" stroke-dasharray=\"%s\"/>\n"
                          "<text x=\"%d\" y=\"44\" font-size=\"12\">%s</text>\n",
                          x, x + 24, style.color, style.dashes, x + 30, style.engine);
    x += 40 + 8 * static_cast<int>(std::string(style.engine).size());
  }
  absl::StrAppendFormat(&out,
                        "<line x1=\"20\" y1=\"60\" x2=\"44\" y2=\"60\" stroke=\"#999\" "
                        "stroke-dasharray=\"2,4\"/>\n<text x=\"50\" y=\"64\" "
                        "font-size=\"12\">ideal (speedup = workers); on serial, dotted "
                        "black: Amdahl's bound</text>\n");
  return out;
}

}  // namespace

std::string SvgChart(const Report& report) {
  const std::vector<std::string> workloads = WorkloadsInOrder(report);
  int max_workers = 2;
  double max_speedup = 2;
  for (const Series& series : report.series) {
    for (const Point& point : series.points) {
      max_workers = std::max(max_workers, point.workers);
      max_speedup = std::max(max_speedup, point.speedup);
    }
  }
  max_speedup = std::ceil(std::max(max_speedup, static_cast<double>(max_workers)));
  const int rows = static_cast<int>((workloads.size() + kColumns - 1) / kColumns);
  const int width = kColumns * kPanelWidth;
  const int height = kLegendHeight + std::max(1, rows) * kPanelHeight;

  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"20\" y=\"20\" font-size=\"14\">%s</text>\n",
      width, height, XmlEscaped("Speedup vs workers: " + report.machine + ", " + report.date));
  absl::StrAppend(&out, Legend());
  for (size_t i = 0; i < workloads.size(); ++i) {
    const Axes axes{.origin_x = static_cast<double>((i % kColumns) * kPanelWidth),
                    .origin_y = static_cast<double>(kLegendHeight + (i / kColumns) * kPanelHeight),
                    .max_workers = max_workers,
                    .max_speedup = max_speedup};
    absl::StrAppend(&out, Frame(axes, workloads[i]));
    absl::StrAppend(&out, Line(axes, {{1, 1}, {max_workers, max_workers}}, "#999", "2,4", 1));
    if (workloads[i] == "serial") {
      std::vector<std::pair<double, double>> amdahl;
      for (int n = 1; n <= max_workers; ++n) {
        amdahl.push_back({n, AmdahlSpeedup(report.serial_fraction, n)});
      }
      absl::StrAppend(&out, Line(axes, amdahl, "#000", "1,3", 1.5));
    }
    for (const Series& series : report.series) {
      if (series.workload != workloads[i] || series.points.empty()) continue;
      std::vector<std::pair<double, double>> points;
      for (const Point& point : series.points) points.push_back({point.workers, point.speedup});
      const Style style = StyleOf(series.engine);
      absl::StrAppend(&out, Line(axes, points, style.color, style.dashes, 2.5));
    }
  }
  return out + "</svg>\n";
}

}  // namespace mp::scaling
