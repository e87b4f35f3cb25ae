// The course's guided tour: every lesson's question, its demo run live, and at the end a
// small scaling table measured on this machine.
//
//   bazel run //concepts:tour                   # the whole course, in order
//   bazel run //concepts:tour -- --lesson=3     # one lesson
//   bazel run //concepts:tour -- --quick        # all of it in under 30 s on 2 cores
//   bazel run //concepts:tour -- --list         # the lessons and where to read them
//
// Each demo is its own program (bazel run //concepts/<lesson>:demo); the tour starts it
// with stdout shared, so what you see is exactly what the demo prints.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "base/cli/runfile.h"
#include "concepts/lessons.h"
#include "concepts/live_scaling_table.h"
#include "process/cpu_count.h"
#include "process/subprocess.h"
#include "tools/cpp/runfiles/runfiles.h"

ABSL_FLAG(std::string, lesson, "", "run only this lesson (1 to 10, 3b or 9b); empty runs them all, then the table");
ABSL_FLAG(bool, quick, false, "short demos and a short table: the whole tour in under 30 s");
ABSL_FLAG(bool, list, false, "list the lessons and exit");
ABSL_FLAG(int, max_workers, 0, "widest point of the scaling table; 0 means CpuCount()");

namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;
using mp::concepts::Lesson;

void PrintHeading(const std::string& heading) {
  std::printf("\n%s\n%s\n", heading.c_str(), std::string(heading.size(), '=').c_str());
  std::fflush(stdout);  // before the demo writes to the same stdout
}

// Our environment, plus what tells a demo where our runfiles are: a demo that starts
// programs of its own (lesson 10's worker hosts) finds them there.
std::vector<std::string> EnvironmentWithRunfiles(const Runfiles& runfiles) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
  for (const auto& [name, value] : runfiles.EnvVars()) environment.push_back(absl::StrCat(name, "=", value));
  return environment;
}

// Runs one lesson's demo with the terminal as its stdout and stderr. True if it succeeded.
bool RunDemo(const Runfiles& runfiles, const Lesson& lesson, bool quick) {
  PrintHeading(absl::StrCat("Lesson ", lesson.label, ": ", lesson.question));
  std::printf("Read: concepts/%s/README.md\n", lesson.package.c_str());
  const std::vector<std::string>& args = quick ? lesson.quick_args : lesson.tour_args;
  mp::Command command;
  command.argv = {mp::cli::RlocationInThisRepository(
      runfiles, absl::StrCat("concepts/", lesson.package, "/demo"))};
  command.environment = EnvironmentWithRunfiles(runfiles);
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  std::printf("Running: bazel run //concepts/%s:demo%s%s\n\n", lesson.package.c_str(),
              args.empty() ? "" : " -- ", absl::StrJoin(args, " ").c_str());
  std::fflush(stdout);
  absl::StatusOr<mp::Subprocess> demo = mp::Subprocess::Start(command);
  if (!demo.ok()) {
    std::fprintf(stderr, "tour: cannot start the demo: %s\n", demo.status().ToString().c_str());
    return false;
  }
  absl::StatusOr<int> exit_code = demo->Wait();
  if (!exit_code.ok() || *exit_code != 0) {
    std::fprintf(stderr, "tour: the demo of lesson %s failed (%s)\n", lesson.label.c_str(),
                 exit_code.ok() ? absl::StrCat("exit code ", *exit_code).c_str()
                                : exit_code.status().ToString().c_str());
    return false;
  }
  return true;
}

bool PrintScalingTable(bool quick, int max_workers) {
  PrintHeading("Finally: how does CPU-bound work scale on this machine?");
  std::printf(
      "Counting primes, the same job on N processes (Pool), N threads (ThreadPool), and N\n"
      "threads that must hold one global lock while they compute (CPython's GIL).\n\n");
  std::fflush(stdout);
  absl::StatusOr<mp::concepts::ScalingTable> table = mp::concepts::MeasureScalingTable(
      mp::concepts::DoublingWorkerCounts(max_workers), quick ? 0.1 : 0.5, /*repetitions=*/3);
  if (!table.ok()) {
    std::fprintf(stderr, "tour: the scaling table failed: %s\n", table.status().ToString().c_str());
    return false;
  }
  std::printf("%s\n%s\nFull report, Python beside it:\n"
              "  bazel run -c opt //benchmarks:scaling_report\n",
              table->markdown.c_str(), mp::concepts::JudgeScaling(*table).c_str());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Walks the course: each lesson's question and demo, then a scaling table.");
  const std::vector<Lesson>& lessons = mp::concepts::Lessons();
  const std::string only = absl::GetFlag(FLAGS_lesson);
  std::vector<std::string> labels;
  for (const Lesson& lesson : lessons) labels.push_back(lesson.label);
  if (!only.empty() && std::find(labels.begin(), labels.end(), only) == labels.end()) {
    mp::cli::ExitBadUsage(absl::StrCat("--lesson must be one of ", absl::StrJoin(labels, ", "),
                                       ", or empty for all"));
  }
  const int max_workers = absl::GetFlag(FLAGS_max_workers) == 0 ? mp::CpuCount()
                                                                 : absl::GetFlag(FLAGS_max_workers);
  if (max_workers < 1 || max_workers > 256) mp::cli::ExitBadUsage("--max_workers must be 0 to 256");

  if (absl::GetFlag(FLAGS_list)) {
    for (const Lesson& lesson : lessons) {
      std::printf("%s. %-55s concepts/%s/README.md\n", lesson.label.c_str(), lesson.question.c_str(),
                  lesson.package.c_str());
    }
    return 0;
  }

  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::Create(argv[0], &error));
  if (runfiles == nullptr) {
    std::fprintf(stderr, "tour: cannot find the demos (%s); run it with bazel run //concepts:tour\n",
                 error.c_str());
    return 1;
  }

  const absl::Time start = absl::Now();
  const bool quick = absl::GetFlag(FLAGS_quick);
  int failed = 0;
  for (const Lesson& lesson : lessons) {
    if (!only.empty() && lesson.label != only) continue;
    if (!RunDemo(*runfiles, lesson, quick)) ++failed;
  }
  if (only.empty() && !PrintScalingTable(quick, max_workers)) ++failed;

  std::printf("\nTour done in %.1f s", absl::ToDoubleSeconds(absl::Now() - start));
  if (failed > 0) std::printf("; %d part(s) failed (see above)", failed);
  std::printf(". The lessons: concepts/README.md. Exercises: bazel run //exercises:progress;\n"
              "then the capstones: x9_pipeline (a shell's pipeline), x7_build_a_pool (a pool by\n"
              "hand that survives a killed worker), x8_map_reduce (a map-reduce exact through\n"
              "crashes), x10_ctrl_c (a runner Ctrl-C cannot break); see exercises/README.md.\n");
  return failed == 0 ? 0 : 1;
}
