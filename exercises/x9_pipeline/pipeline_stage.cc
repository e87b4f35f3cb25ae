// The grader's stand-in for each command of the pipeline (X9): run as
//
//   pipeline_stage --role=producer|filter|consumer --dir=D --exit_code=K [--lines=N]
//
// it first writes D/<role>.report: its pid and every pipe end it holds, read from /proc
// right after exec, when the learner's program has done all its dup2() and close()
// calls. Then it does its part:
//   producer  writes the numbers 1..N, one per line, and closes its stdout;
//   filter    copies the lines holding a multiple of 3 from stdin to stdout, closes stdout;
//   consumer  reads to end of file and prints "consumer read <count> lines, sum <sum>".
// Then it writes D/<role>.done, and waits until the grader lets it go (its gate,
// D/gate.<1, 2 or 3>: exercises/grading/task_gate.h) before exiting with status K.
// Held there, a stage outlives whatever the program does next, so the grader can see,
// every run, whether the program waits for each stage, and in which order it collects
// their statuses.

#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "base/cli/parse_flags.h"
#include "exercises/grading/proc_view.h"
#include "exercises/grading/task_gate.h"

ABSL_FLAG(std::string, role, "", "producer, filter or consumer");
ABSL_FLAG(std::string, dir, "", "the directory the grader watches");
ABSL_FLAG(int, exit_code, 0, "the status to exit with (0 to 125)");
ABSL_FLAG(int, lines, 1000, "lines the producer writes (1 to 10000000)");

namespace {

std::string Report() {
  std::string text = absl::StrCat("pid ", getpid(), "\n");
  for (const mp::grading::PipeEnd& end : mp::grading::PipeEndsOf(getpid())) {
    absl::StrAppend(&text, "fd ", end.fd, " ", end.pipe, " ", end.writes ? "w" : "r", "\n");
  }
  return text;
}

void Produce(int lines) {
  for (int i = 1; i <= lines; ++i) std::printf("%d\n", i);
}

void Filter() {
  for (long number; std::scanf("%ld", &number) == 1;) {
    if (number % 3 == 0) std::printf("%ld\n", number);
  }
}

void Consume() {
  long count = 0;
  long sum = 0;
  for (long number; std::scanf("%ld", &number) == 1;) {
    ++count;
    sum += number;
  }
  std::printf("consumer read %ld lines, sum %ld\n", count, sum);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string report = Report();  // before anything opens a descriptor
  mp::cli::ParseFlags(argc, argv, "One stage of the X9 grader's pipeline.");
  const std::string role = absl::GetFlag(FLAGS_role);
  const std::string dir = absl::GetFlag(FLAGS_dir);
  const int exit_code = absl::GetFlag(FLAGS_exit_code);
  const int lines = absl::GetFlag(FLAGS_lines);
  if (role != "producer" && role != "filter" && role != "consumer") {
    mp::cli::ExitBadUsage("--role must be producer, filter or consumer");
  }
  if (dir.empty()) mp::cli::ExitBadUsage("--dir must name a directory");
  if (exit_code < 0 || exit_code > 125) mp::cli::ExitBadUsage("--exit_code must be 0 to 125");
  if (lines < 1 || lines > 10000000) mp::cli::ExitBadUsage("--lines must be 1 to 10000000");

  mp::grading::WriteFileWhole(absl::StrCat(dir, "/", role, ".report"), report);
  if (role == "producer") Produce(lines);
  if (role == "filter") Filter();
  if (role == "consumer") Consume();
  std::fflush(stdout);
  if (role != "consumer") close(STDOUT_FILENO);  // the end of file the next stage waits for
  mp::grading::WriteFileWhole(absl::StrCat(dir, "/", role, ".done"), "");

  // Held until the grader lets this stage go: its gate is D/gate.<1, 2 or 3>.
  mp::grading::WaitAtGate(dir, role == "producer" ? 1 : role == "filter" ? 2 : 3);
  return exit_code;
}
