#include "base/json.h"
#include "benchmarks/scaling/report.h"

#include <string>

#include "benchmarks/scaling/report_output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mp::scaling {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Point At(int workers, double seconds) {
  return {.workers = workers, .wall_seconds = {seconds, seconds * 0.9, seconds * 1.1}};
}

Report TwoCoreReport() {
  Report report{.machine = "Test CPU <A&B>", .date = "2026-11-26T00:00:00Z", .repetitions = 3};
  report.descriptions["cpu"] = "count primes";
  report.series.push_back({.engine = "processes", .title = "Pool (processes)", .workload = "cpu",
                           .points = {At(1, 2.0), At(2, 1.05)}});
  report.series.push_back({.engine = "threads", .title = "ThreadPool (threads)",
                           .workload = "cpu", .points = {At(1, 2.0), At(2, 1.0)}});
  report.series.push_back({.engine = "global_lock", .title = "threads + global lock",
                           .workload = "cpu", .points = {At(1, 2.0), At(2, 2.0)}});
  report.series.push_back({.engine = "processes", .title = "Pool (processes)",
                           .workload = "trivial", .points = {At(1, 0.02), At(2, 0.04)}});
  report.series.push_back({.engine = "python_pool", .title = "Python multiprocessing.Pool",
                           .workload = "trivial", .points = {At(1, 0.5), At(2, 1.0)}});
  report.series.push_back({.engine = "python_threads", .title = "Python threads",
                           .workload = "cpu", .skipped = "python3 is not installed"});
  report.notes.push_back("a \"quoted\" note");
  Derive(report);
  return report;
}

TEST(ReportTest, SpeedupIsAgainstTheSameEngineAtOneWorker) {
  const Report report = TwoCoreReport();
  const Point* threads = WidestPoint(FindSeries(report, "threads", "cpu"));
  ASSERT_NE(threads, nullptr);
  EXPECT_DOUBLE_EQ(threads->speedup, 2.0);
  EXPECT_DOUBLE_EQ(threads->efficiency, 1.0);
  EXPECT_DOUBLE_EQ(*threads->karp_flatt, 0.0);
  const Point* locked = WidestPoint(FindSeries(report, "global_lock", "cpu"));
  EXPECT_DOUBLE_EQ(locked->speedup, 1.0);
  EXPECT_DOUBLE_EQ(*locked->karp_flatt, 1.0);
  EXPECT_FALSE(report.series[0].points[0].karp_flatt.has_value());
}

TEST(ReportTest, MarkdownHasARowPerPointAndTheHeadlineRatios) {
  const std::string markdown = MarkdownReport(TwoCoreReport());
  EXPECT_THAT(markdown, HasSubstr("## cpu: count primes\n"));
  EXPECT_THAT(markdown, HasSubstr("| Pool (processes) | 2 | 1.0500 | 20% | 1.90 | 0.95 | 0.050 |"));
  EXPECT_THAT(markdown, HasSubstr("| threads + global lock | 2 | 2.0000 | 20% | 1.00 | 0.50 |"));
  EXPECT_THAT(markdown, HasSubstr("parallel efficiency 0.95"));
  EXPECT_THAT(markdown, HasSubstr("Pool takes 1.05x ThreadPool's time"));
  EXPECT_THAT(markdown, HasSubstr("Pool runs 25.0x the tasks per second"));
  EXPECT_THAT(markdown, HasSubstr("Skipped: Python threads: python3 is not installed"));
}

// Read back with the same JSON library: the text survives escaping, a speedup without a
// Karp-Flatt figure says null, and a control character is escaped, not dropped.
TEST(ReportTest, JsonReadsBackWithTextEscapedAndNullForUndefinedKarpFlatt) {
  Report report = TwoCoreReport();
  report.notes.push_back("a\x01" "bell");
  const std::string text = JsonReport(report);
  EXPECT_THAT(text, HasSubstr("\\u0001")) << "control characters are escaped";
  const Json json = Json::parse(text);
  EXPECT_EQ(json["notes"][0], "a \"quoted\" note");
  EXPECT_EQ(json["notes"][1], "a\x01" "bell");
  const Json& points = json["series"][0]["points"];
  EXPECT_TRUE(points[0]["karp_flatt"].is_null());
  EXPECT_EQ(points[1]["workers"], 2);
  EXPECT_DOUBLE_EQ(points[1]["wall_seconds"]["median"].get<double>(), 1.05);
}

TEST(ReportTest, SvgDrawsALinePerSeriesPlusTheIdealAndEscapesText) {
  const std::string svg = SvgChart(TwoCoreReport());
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_THAT(svg, HasSubstr("</svg>\n"));
  EXPECT_THAT(svg, HasSubstr("Test CPU &lt;A&amp;B&gt;"));
  size_t polylines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1)) {
    ++polylines;
  }
  // Five series with points, plus the ideal line in each of two panels.
  EXPECT_EQ(polylines, 5u + 2u);
}

}  // namespace
}  // namespace mp::scaling
