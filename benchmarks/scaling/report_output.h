// The scaling report as text: a Markdown table per workload with headline ratios, JSON
// for other programs, and an SVG chart of speedup against workers with the ideal line.
// Call Derive() on the report first.

#ifndef MP_BENCHMARKS_SCALING_REPORT_OUTPUT_H_
#define MP_BENCHMARKS_SCALING_REPORT_OUTPUT_H_

#include <string>
#include <vector>

#include "benchmarks/scaling/report.h"

namespace mp::scaling {

// One "## <workload>" section per workload (in the order they first appear), a table of
// every engine's points, then "## Headlines": the targets the project sets, measured.
std::string MarkdownReport(const Report& report);

// The headline sentences alone (also part of MarkdownReport).
std::vector<std::string> Headlines(const Report& report);

// Every field of the report, derived ones included.
std::string JsonReport(const Report& report);

// A self-contained SVG: one panel per workload, speedup (y) against workers (x), one line
// per engine, the ideal speedup dashed, and Amdahl's bound dotted on the serial panel.
std::string SvgChart(const Report& report);

}  // namespace mp::scaling

#endif  // MP_BENCHMARKS_SCALING_REPORT_OUTPUT_H_
