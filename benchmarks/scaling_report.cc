// The per-core scaling report: how processes, threads, and threads under one global lock
// (CPython's GIL, modelled) speed up four kinds of work as workers are added, with
// Python's multiprocessing.Pool and threads on the same jobs.
//
//   bazel run -c opt //benchmarks:scaling_report                  # 1..CpuCount() workers
//   bazel run -c opt //benchmarks:scaling_report -- --quick       # under 20 s on 2 cores
//   bazel run -c opt //benchmarks:scaling_report -- --json=scaling.json --svg=scaling.svg
//   bazel run -c opt //benchmarks:scaling_report -- --timelines=timelines   # a picture per workload
//
// Prints a Markdown table per workload (wall time median and spread, speedup, parallel
// efficiency, Karp-Flatt serial fraction) and headline ratios; a progress line goes to
// stderr. Relative --json/--svg paths are relative to where `bazel run` was typed.
// Workloads: scaling/workloads.h; engines: scaling/engines.h.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "base/json.h"
#include "benchmarks/scaling/python_side.h"
#include "benchmarks/scaling/report.h"
#include "benchmarks/scaling/report_output.h"
#include "pool/trace/timeline.h"
#include "pool/trace/timeline_files.h"
#include "process/cpu_count.h"
#include "process/hand_off.h"
#include "process/life_record.h"
#include "scaling/engines.h"
#include "scaling/scaling_math.h"
#include "scaling/workloads.h"

ABSL_FLAG(int, max_workers, 0, "measure 1, 2, ... up to this many workers (0: CpuCount())");
ABSL_FLAG(std::string, worker_counts, "",
          "comma-separated worker counts to measure instead, e.g. 1,2,4,8,16");
ABSL_FLAG(int, repetitions, 3,
          "timed jobs per point (after one untimed warm-up job); the trivial workload, whose "
          "jobs last milliseconds, gets at least 15");
ABSL_FLAG(bool, quick, false, "small jobs (--work_scale=0.08): the whole report in seconds");
ABSL_FLAG(double, work_scale, 0,
          "job size; 1 is about one second of one core per workload (0: 1, or 0.08 with --quick)");
ABSL_FLAG(double, serial_fraction, 0.25, "the serial workload's serial fraction (0 to 1)");
ABSL_FLAG(std::string, workloads, "cpu,memory,blocking,serial,trivial", "which workloads");
ABSL_FLAG(std::string, engines, "processes,threads,global_lock,python_pool,python_threads",
          "which engines; the python_ ones need python3");
ABSL_FLAG(std::string, python, "python3", "the Python interpreter");
ABSL_FLAG(std::string, python_script, "", "path of workloads.py (default: found beside us)");
ABSL_FLAG(std::string, json, "", "also write the report as JSON to this file");
ABSL_FLAG(std::string, svg, "", "also draw speedup vs workers as SVG into this file");
ABSL_FLAG(std::string, timelines, "",
          "also run one more job per workload on the most worker processes, recorded, and draw each as "
          "DIR/<workload>.svg (a timeline of which worker ran which chunk when; not timed)");

namespace mp::scaling {
namespace {

struct Plan {
  std::vector<int> worker_counts;
  std::vector<Workload> workloads;
  std::vector<Engine> engines;
  std::vector<std::string> python_engines;  // "pool", "threads"
  WorkSize size;
  double work_scale = 1;
  int repetitions = 3;
};

std::vector<int> WorkerCounts() {
  std::vector<int> counts;
  const std::string listed = absl::GetFlag(FLAGS_worker_counts);
  if (!listed.empty()) {
    for (absl::string_view field : absl::StrSplit(listed, ',')) {
      int count = 0;
      if (!absl::SimpleAtoi(field, &count) || count < 1 || count > 1024 ||
          (!counts.empty() && count <= counts.back())) {
        cli::ExitBadUsage("--worker_counts must be increasing numbers from 1 to 1024");
      }
      counts.push_back(count);
    }
    return counts;
  }
  int max_workers = absl::GetFlag(FLAGS_max_workers);
  if (max_workers == 0) max_workers = CpuCount();
  if (max_workers < 1 || max_workers > 1024) cli::ExitBadUsage("--max_workers must be 0 to 1024");
  for (int count = 1; count <= max_workers; ++count) counts.push_back(count);
  return counts;
}

Plan PlanFromFlags() {
  Plan plan;
  plan.worker_counts = WorkerCounts();
  for (absl::string_view name : absl::StrSplit(absl::GetFlag(FLAGS_workloads), ',')) {
    std::optional<Workload> workload = ParseWorkload(name);
    if (!workload) cli::ExitBadUsage(absl::StrCat("unknown workload \"", name, "\""));
    plan.workloads.push_back(*workload);
  }
  for (absl::string_view name : absl::StrSplit(absl::GetFlag(FLAGS_engines), ',')) {
    if (name == "python_pool" || name == "python_threads") {
      plan.python_engines.push_back(std::string(absl::StripPrefix(name, "python_")));
    } else if (std::optional<Engine> engine = ParseEngine(name)) {
      plan.engines.push_back(*engine);
    } else {
      cli::ExitBadUsage(absl::StrCat("unknown engine \"", name, "\""));
    }
  }
  plan.repetitions = absl::GetFlag(FLAGS_repetitions);
  if (plan.repetitions < 1 || plan.repetitions > 100) {
    cli::ExitBadUsage("--repetitions must be 1 to 100");
  }
  double work_scale = absl::GetFlag(FLAGS_work_scale);
  if (work_scale == 0) work_scale = absl::GetFlag(FLAGS_quick) ? 0.08 : 1;
  if (!(work_scale > 0 && work_scale <= 100)) cli::ExitBadUsage("--work_scale must be in (0, 100]");
  const double serial_fraction = absl::GetFlag(FLAGS_serial_fraction);
  if (!(serial_fraction >= 0 && serial_fraction <= 1)) {
    cli::ExitBadUsage("--serial_fraction must be 0 to 1");
  }
  plan.work_scale = work_scale;
  plan.size = WorkSize::Scaled(work_scale, serial_fraction);
  return plan;
}

// One line on stderr, rewritten in place on a terminal.
void Progress(const std::string& text) {
  static const bool terminal = isatty(STDERR_FILENO) == 1;
  if (terminal) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
}

std::string Machine() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (absl::StartsWith(line, "model name")) {
      model = std::string(absl::StripAsciiWhitespace(line.substr(line.find(':') + 1)));
      break;
    }
  }
  return absl::StrCat(model, ", ", CpuCount(), " CPUs usable of ", sysconf(_SC_NPROCESSORS_ONLN),
                      " online");
}

Point ToPoint(int workers, const std::vector<JobRun>& runs) {
  std::vector<double> walls;
  for (const JobRun& run : runs) walls.push_back(run.wall_seconds);
  Point point{.workers = workers, .wall_seconds = Summarize(walls)};
  // The median repetition's CPU breakdown (the first run at or above the median).
  for (const JobRun& run : runs) {
    if (run.wall_seconds >= point.wall_seconds.median || &run == &runs.back()) {
      point.checksum = run.checksum;
      point.cpu_seconds_by_worker = run.cpu_seconds_by_worker;
      break;
    }
  }
  return point;
}

// The trivial workload's jobs last milliseconds, where one run that is preempted moves a
// median of three; so it is timed at least this many times, on every engine (Python's
// too). Longer jobs keep --repetitions.
constexpr int kShortJobRepetitions = 15;

int RepetitionsFor(const Plan& plan, Workload workload) {
  return workload == Workload::kTrivial ? std::max(plan.repetitions, kShortJobRepetitions)
                                        : plan.repetitions;
}

// Runs every C++ engine; series come back keyed by (engine, workload).
absl::Status MeasureEngines(const Plan& plan, int& step, int steps,
                            std::map<std::pair<Engine, Workload>, Series>& out) {
  for (Engine engine : plan.engines) {
    for (int workers : plan.worker_counts) {
      absl::StatusOr<std::unique_ptr<EngineRunner>> runner = EngineRunner::Create(engine, workers);
      if (!runner.ok()) return runner.status();
      for (Workload workload : plan.workloads) {
        Progress(absl::StrFormat("[%d/%d] %s: %s, %d workers", ++step, steps,
                                 WorkloadName(workload), EngineTitle(engine), workers));
        absl::StatusOr<std::vector<JobRun>> runs =
            (*runner)->RunRepeatedly(workload, plan.size, RepetitionsFor(plan, workload));
        if (!runs.ok()) return runs.status();
        Series& series = out[{engine, workload}];
        series.engine = std::string(EngineName(engine));
        series.title = std::string(EngineTitle(engine));
        series.workload = std::string(WorkloadName(workload));
        series.points.push_back(ToPoint(workers, *runs));
      }
    }
  }
  return absl::OkStatus();
}

// Python's `engine` ("pool" or "threads") on `workload`; if `script` is empty, a series
// with no points that says why (`not_run`).
Series MeasurePython(const Plan& plan, const std::string& engine, Workload workload,
                     const std::string& script, const std::string& not_run) {
  Series series{.engine = "python_" + engine,
                .title = engine == "pool" ? "Python multiprocessing.Pool" : "Python threads",
                .workload = std::string(WorkloadName(workload))};
  if (script.empty()) {
    series.skipped = not_run;
    return series;
  }
  absl::StatusOr<std::vector<PythonRun>> runs =
      RunPython({.python = absl::GetFlag(FLAGS_python), .script = script, .engine = engine,
                 .workload = workload, .workers = plan.worker_counts,
                 .repetitions = RepetitionsFor(plan, workload), .size = plan.size});
  if (!runs.ok()) {
    series.skipped = std::string(runs.status().message());
    return series;
  }
  for (int workers : plan.worker_counts) {
    std::vector<JobRun> at_width;
    for (const PythonRun& run : *runs) {
      if (run.workers == workers) at_width.push_back({run.wall_seconds, run.checksum, {}});
    }
    if (!at_width.empty()) series.points.push_back(ToPoint(workers, at_width));
  }
  return series;
}

// Every engine must find the same answer at every width; Python has its own (it tests
// fewer numbers), the same across its engines and widths.
std::vector<std::string> ChecksumProblems(const Report& report) {
  std::vector<std::string> problems;
  std::map<std::pair<bool, std::string>, int64_t> expected;
  for (const Series& series : report.series) {
    const bool python = absl::StartsWith(series.engine, "python_");
    for (const Point& point : series.points) {
      auto [it, first] = expected.try_emplace({python, series.workload}, point.checksum);
      if (!first && it->second != point.checksum) {
        problems.push_back(absl::StrCat(series.title, " on ", series.workload, " at ",
                                        point.workers, " workers computed ", point.checksum,
                                        ", others ", it->second));
      }
    }
  }
  return problems;
}

// --timelines: one more job per workload on the processes engine at the largest width,
// recorded (mp::RecordPools) and drawn from the pools' record: DIR/<workload>.svg, and
// every job in DIR/scaling_trace.json for Perfetto. The measured jobs above are not
// recorded, so recording costs them nothing. Returns a note for the report.
absl::StatusOr<std::string> DrawTimelines(const Plan& plan, const std::string& chosen_dir) {
  absl::StatusOr<std::string> dir = trace::TimelineDirectory(chosen_dir, "scaling-timelines");
  if (!dir.ok()) return dir.status();
  const std::string record = *dir + "/scaling.record";
  if (absl::Status started = trace::StartPoolRecord(record); !started.ok()) return started;
  const int workers = plan.worker_counts.back();
  for (Workload workload : plan.workloads) {
    Progress(absl::StrFormat("timeline: %s on %d worker processes", WorkloadName(workload), workers));
    absl::StatusOr<std::unique_ptr<EngineRunner>> runner = EngineRunner::Create(Engine::kProcesses, workers);
    if (!runner.ok()) return runner.status();
    if (absl::StatusOr<JobRun> run = (*runner)->Run(workload, plan.size); !run.ok()) return run.status();
  }
  if (absl::Status stopped = RecordPools(""); !stopped.ok()) return stopped;
  absl::StatusOr<std::vector<internal::PoolEvent>> events = trace::ReadPoolRecordFile(record);
  if (!events.ok()) return events.status();
  const std::vector<std::string> pools = trace::PoolIds(*events);
  if (pools.size() < plan.workloads.size()) return absl::InternalError("the record holds fewer pools than workloads");
  std::vector<std::string> written;
  for (size_t i = 0; i < plan.workloads.size(); ++i) {
    const std::string name(WorkloadName(plan.workloads[i]));
    const std::string path = absl::StrCat(*dir, "/", name, ".svg");
    const trace::Timeline timeline = trace::FromPoolRecord(*events, pools[pools.size() - plan.workloads.size() + i]);
    absl::Status drawn = trace::WriteWholeFile(
        path, trace::Svg(timeline, absl::StrCat(name, ": one job on ", workers, " worker processes (",
                                                WorkloadDescription(plan.workloads[i]), ")")));
    if (!drawn.ok()) return drawn;
    written.push_back(path);
  }
  const std::string trace_path = *dir + "/scaling_trace.json";
  if (absl::Status drawn = trace::WriteWholeFile(trace_path, WriteJson(trace::ChromeTrace(trace::FromPoolRecord(*events))));
      !drawn.ok()) {
    return drawn;
  }
  return absl::StrCat("Timelines of one more job per workload on ", workers, " worker processes (recorded, not timed): ",
                      absl::StrJoin(written, ", "), "; all of them for Perfetto: ", trace_path, ".");
}

// Writes `format(report)` to the file a --json or --svg flag names, if it names one.
bool WriteIfAsked(const std::string& flag, std::string (*format)(const Report&),
                  const Report& report) {
  if (flag.empty()) return true;
  const std::string path = cli::UserPath(flag);
  std::ofstream file(path);
  file << format(report);
  if (!file.good()) std::fprintf(stderr, "scaling_report: cannot write %s\n", path.c_str());
  return file.good();
}

int Main(const std::string& argv0) {
  const Plan plan = PlanFromFlags();
  std::string script;
  std::string python_note;
  if (!plan.python_engines.empty()) {
    absl::StatusOr<std::string> found =
        FindPythonScript(absl::GetFlag(FLAGS_python_script), argv0);
    if (!PythonAvailable(absl::GetFlag(FLAGS_python))) {
      python_note = absl::StrCat(absl::GetFlag(FLAGS_python),
                                 " is not installed: the Python columns are skipped "
                                 "(sudo apt-get install python3)");
    } else if (!found.ok()) {
      python_note = std::string(found.status().message());
    } else {
      script = *found;
    }
  }
  if (!python_note.empty()) std::fprintf(stderr, "%s\n", python_note.c_str());

  // The array must exist before a Pool forks, so every worker shares its pages.
  for (Workload workload : plan.workloads) {
    if (workload == Workload::kMemory) PrepareArray(plan.size.array_bytes);
  }

  const int steps = static_cast<int>(plan.engines.size() * plan.worker_counts.size() *
                                         plan.workloads.size() +
                                     plan.python_engines.size() * plan.workloads.size());
  int step = 0;
  std::map<std::pair<Engine, Workload>, Series> measured;
  if (absl::Status status = MeasureEngines(plan, step, steps, measured); !status.ok()) {
    Progress("");
    std::fprintf(stderr, "\nscaling_report: %s\n", std::string(status.message()).c_str());
    return 1;
  }

  Report report{.machine = Machine(),
                .date = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone()),
                .work_scale = plan.work_scale,
                .serial_fraction = plan.size.serial_fraction,
                .repetitions = plan.repetitions};
  for (Workload workload : plan.workloads) {
    report.descriptions[std::string(WorkloadName(workload))] =
        std::string(WorkloadDescription(workload));
    for (Engine engine : plan.engines) report.series.push_back(measured[{engine, workload}]);
    for (const std::string& engine : plan.python_engines) {
      Progress(absl::StrFormat("[%d/%d] %s: Python %s, %s workers", ++step, steps,
                               WorkloadName(workload), engine,
                               absl::StrJoin(plan.worker_counts, ",")));
      report.series.push_back(MeasurePython(plan, engine, workload, script, python_note));
    }
  }
  Progress("");
  if (!plan.python_engines.empty() && !script.empty()) {
    report.notes.push_back(absl::StrCat(
        "Python tests ", kPythonCpuDivisor,
        "x fewer numbers per task on cpu and serial (CPython is that much slower per "
        "division): compare its speedups with ours, not its times. Its memory workload "
        "scans the array with bytes.find() (memchr: a C loop at memory speed, under the GIL)."));
  }
  report.notes.push_back(
      "The global-lock model holds one mutex while a task computes and lets it go while a "
      "task waits, as CPython does with its GIL.");
  if (!absl::GetFlag(FLAGS_timelines).empty()) {
    absl::StatusOr<std::string> note = DrawTimelines(plan, cli::UserPath(absl::GetFlag(FLAGS_timelines)));
    Progress("");
    if (!note.ok()) {
      std::fprintf(stderr, "scaling_report: --timelines: %s\n", std::string(note.status().message()).c_str());
      return 1;
    }
    report.notes.push_back(*note);
  }
  const std::vector<std::string> problems = ChecksumProblems(report);
  for (const std::string& problem : problems) report.notes.push_back("WRONG ANSWER: " + problem);

  Derive(report);
  std::printf("%s", MarkdownReport(report).c_str());
  if (!WriteIfAsked(absl::GetFlag(FLAGS_json), JsonReport, report) ||
      !WriteIfAsked(absl::GetFlag(FLAGS_svg), SvgChart, report)) {
    return 1;
  }
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace mp::scaling

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv,
                      "Measures how processes, threads and threads under a global lock "
                      "speed up as workers are added, with Python side by side.");
  return mp::scaling::Main(argv[0]);
}
