// Draws a pool's record (MP_POOL_RECORD) as a Chrome trace and/or an SVG timeline.
//
//   MP_POOL_RECORD=/tmp/run.record ./bazel-bin/concepts/04_what_is_a_pool/demo --quick
//   ./bazelw run //pool/trace:timeline_tool -- --record=/tmp/run.record
//       --trace_out=/tmp/run.json --svg_out=/tmp/run.svg      (one line)
//
// Open the .json in https://ui.perfetto.dev or chrome://tracing; the .svg in any browser
// or image viewer. `--check=FILE.json` checks a trace against the trace event format's
// rules instead (pool/trace/trace_format.h): exit 0 if it keeps them, 1 with each
// problem if not.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "process/life_record.h"
#include "pool/trace/timeline.h"
#include "pool/trace/timeline_files.h"
#include "pool/trace/trace_format.h"

ABSL_FLAG(std::string, record, "", "the pool's record to draw (the file MP_POOL_RECORD named)");
ABSL_FLAG(std::string, trace_out, "", "write Chrome trace event JSON here");
ABSL_FLAG(std::string, svg_out, "", "write an SVG timeline here");
ABSL_FLAG(std::string, title, "", "the SVG's title (default: the record's path)");
ABSL_FLAG(std::string, check, "", "check this Chrome trace JSON file against the format's rules, and do nothing else");
ABSL_FLAG(std::string, pool, "", "draw only this pool (its id, e.g. 4211.2, from the record's create lines); default: all");

namespace {

int CheckTrace(const std::string& path) {
  absl::StatusOr<std::string> text = mp::internal::ReadWholeFile(path);
  if (!text.ok()) mp::cli::ExitBadUsage("--check: " + std::string(text.status().message()));
  const mp::Json trace = mp::Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (trace.is_discarded()) {
    std::printf("%s: not JSON\n", path.c_str());
    return 1;
  }
  const std::vector<std::string> problems = mp::trace::TraceFormatProblems(trace);
  for (const std::string& problem : problems) std::printf("%s: %s\n", path.c_str(), problem.c_str());
  if (problems.empty()) {
    std::printf("%s: keeps the trace event format's rules (%zu events)\n", path.c_str(),
                trace["traceEvents"].size());
  }
  return problems.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Draws a pool's record as a Chrome trace or an SVG timeline.");
  if (!absl::GetFlag(FLAGS_check).empty()) return CheckTrace(mp::cli::UserPath(absl::GetFlag(FLAGS_check)));
  const std::string record = mp::cli::UserPath(absl::GetFlag(FLAGS_record));
  const std::string trace_out = absl::GetFlag(FLAGS_trace_out);
  const std::string svg_out = absl::GetFlag(FLAGS_svg_out);
  if (absl::GetFlag(FLAGS_record).empty()) mp::cli::ExitBadUsage("--record must name a pool record file");
  if (trace_out.empty() && svg_out.empty()) {
    mp::cli::ExitBadUsage("--trace_out or --svg_out (or both) must name a file to write");
  }
  absl::StatusOr<std::vector<mp::internal::PoolEvent>> events = mp::trace::ReadPoolRecordFile(record);
  if (!events.ok()) mp::cli::ExitBadUsage("--record: " + std::string(events.status().message()));
  const mp::trace::Timeline timeline = mp::trace::FromPoolRecord(*events, absl::GetFlag(FLAGS_pool));
  if (timeline.workers.empty()) {
    std::fprintf(stderr, "timeline: %s holds no worker with times%s (was MP_POOL_RECORD set?)\n",
                 record.c_str(), absl::GetFlag(FLAGS_pool).empty() ? "" : " for that --pool");
    return 1;
  }
  const std::string title = absl::GetFlag(FLAGS_title).empty() ? record : absl::GetFlag(FLAGS_title);
  absl::Status written = absl::OkStatus();
  if (!trace_out.empty()) {
    written.Update(mp::trace::WriteWholeFile(mp::cli::UserPath(trace_out),
                                             mp::WriteJson(mp::trace::ChromeTrace(timeline))));
  }
  if (!svg_out.empty()) {
    written.Update(mp::trace::WriteWholeFile(mp::cli::UserPath(svg_out), mp::trace::Svg(timeline, title)));
  }
  if (!written.ok()) {
    std::fprintf(stderr, "timeline: %s\n", std::string(written.message()).c_str());
    return 1;
  }
  std::printf("%zu workers, %s%s%s\n", timeline.workers.size(), trace_out.empty() ? "" : "trace written",
              !trace_out.empty() && !svg_out.empty() ? ", " : "", svg_out.empty() ? "" : "SVG written");
  return 0;
}
