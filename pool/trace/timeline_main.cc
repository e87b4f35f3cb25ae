// Draws a pool's record (MP_POOL_RECORD) as a Chrome trace and/or an SVG timeline.
//
//   MP_POOL_RECORD=/tmp/run.record ./bazel-bin/concepts/04_what_is_a_pool/demo --quick
//   ./bazelw run //pool/trace:timeline_tool -- --record=/tmp/run.record
//       --trace_out=/tmp/run.json --svg_out=/tmp/run.svg      (one line)
//
// Open the .json in https://ui.perfetto.dev or chrome://tracing; the .svg in any browser
// or image viewer.

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"
#include "base/json.h"
#include "pool/life_record.h"
#include "pool/trace/timeline.h"

ABSL_FLAG(std::string, record, "", "the pool's record to draw (the file MP_POOL_RECORD named)");
ABSL_FLAG(std::string, trace_out, "", "write Chrome trace event JSON here");
ABSL_FLAG(std::string, svg_out, "", "write an SVG timeline here");
ABSL_FLAG(std::string, title, "", "the SVG's title (default: the record's path)");
ABSL_FLAG(std::string, pool, "", "draw only this pool (its id, e.g. 4211.2, from the record's create lines); default: all");

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Draws a pool's record as a Chrome trace or an SVG timeline.");
  const std::string record = mp::cli::UserPath(absl::GetFlag(FLAGS_record));
  const std::string trace_out = absl::GetFlag(FLAGS_trace_out);
  const std::string svg_out = absl::GetFlag(FLAGS_svg_out);
  if (absl::GetFlag(FLAGS_record).empty()) mp::cli::ExitBadUsage("--record must name a pool record file");
  if (trace_out.empty() && svg_out.empty()) {
    mp::cli::ExitBadUsage("--trace_out or --svg_out (or both) must name a file to write");
  }
  std::ifstream in(record);
  if (!in) mp::cli::ExitBadUsage("--record: cannot read " + record);
  std::stringstream text;
  text << in.rdbuf();
  const mp::trace::Timeline timeline =
      mp::trace::FromPoolRecord(mp::internal::ParsePoolRecord(text.str()), absl::GetFlag(FLAGS_pool));
  if (timeline.workers.empty()) {
    std::fprintf(stderr, "timeline: %s holds no worker with times%s (was MP_POOL_RECORD set?)\n",
                 record.c_str(), absl::GetFlag(FLAGS_pool).empty() ? "" : " for that --pool");
    return 1;
  }
  if (!trace_out.empty()) {
    std::ofstream(mp::cli::UserPath(trace_out)) << mp::WriteJson(mp::trace::ChromeTrace(timeline));
  }
  if (!svg_out.empty()) {
    const std::string title = absl::GetFlag(FLAGS_title).empty() ? record : absl::GetFlag(FLAGS_title);
    std::ofstream(mp::cli::UserPath(svg_out)) << mp::trace::Svg(timeline, title);
  }
  std::printf("%zu workers, %s%s%s\n", timeline.workers.size(), trace_out.empty() ? "" : "trace written",
              !trace_out.empty() && !svg_out.empty() ? ", " : "", svg_out.empty() ? "" : "SVG written");
  return 0;
}
