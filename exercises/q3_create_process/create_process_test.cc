// The grader for exercise Q3 (run as `create_process_test <program> <pass|fail>`; see
// exercises/grading/grading.h).
//
// It judges what the processes did, not only what was printed: each line must come from
// the process the exercise says (the kernel names the writer of every byte, so a parent
// that prints the child's line, or a thread, is caught), and when the program exits it
// must have no child left, running or unreaped (seen at its exit under ptrace, so a
// sleep() instead of waitpid() is caught on every run, however loaded the machine).

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"

namespace {

constexpr char kChildLine[] = "This is a process!\n";
constexpr char kParentLine[] = "The process has completed.\n";

// Every way the program's run differs from the goal, as advice for the learner: one
// message per distinct problem.
std::vector<std::string> GradeRun() {
  absl::StatusOr<mp::grading::ObservedRun> observed =
      mp::grading::RunObserved(mp::grading::Program(), {}, absl::Seconds(30));
  if (!observed.ok()) return {absl::StrCat("The program did not finish: ", observed.status().ToString())};
  const mp::grading::AttributedRun& run = observed->run;
  std::vector<std::string> problems;

  std::string printed;
  std::string by_parent;
  std::string by_others;
  for (const mp::grading::Write& write : run.writes) {
    printed += write.text;
    (write.writer == run.pid ? by_parent : by_others) += write.text;
  }

  if (!observed->running_at_exit.empty()) {
    problems.push_back(absl::StrCat(
        "Your program exited without reaping its child (pid ",
        absl::StrJoin(observed->running_at_exit, ", "), "), which was still running: the "
        "parent must wait for the child with waitpid() before it prints its own line "
        "(HINTS.md, hint 3)."));
  }
  if (!observed->unreaped_at_exit.empty()) {
    problems.push_back(absl::StrCat(
        "Your program exited without reaping its child (pid ",
        absl::StrJoin(observed->unreaped_at_exit, ", "),
        "): it had ended, but nobody called waitpid() for it, so it was a zombie. sleep() or "
        "usleep() only wait for time; waitpid() waits for the child and collects it "
        "(HINTS.md, hint 3)."));
  }
  if (by_others.empty() && by_parent.find("This is a process!") != std::string::npos) {
    problems.push_back(
        "\"This is a process!\" was written by your program's own process, not by a child: "
        "create the child with fork() and print that line in the child (a thread is part of "
        "the same process) (HINTS.md, hints 1-2).");
  } else if (by_others.empty() && observed->forks == 0) {
    problems.push_back(
        "Your program never called fork(), so no child process printed anything: create the "
        "child with fork() and print \"This is a process!\" in it (HINTS.md, hint 1).");
  } else if (by_others.empty()) {
    problems.push_back(
        "Your child's line never arrived: the child was created, but its printf() was still "
        "in its stdio buffer when it called _exit(), which throws the buffer away. stdout is "
        "not a terminal here, so it is fully buffered; fflush(stdout) before _exit() "
        "(HINTS.md, hint 2).");
  } else if (by_others.find("The process has completed.") != std::string::npos) {
    problems.push_back(
        "Your child printed the parent's line too: it did not end after its own line, so it "
        "went on into the parent's code. End the child with _exit(0) right after it prints "
        "(HINTS.md, hint 2).");
  } else if (by_others != kChildLine) {
    problems.push_back(mp::grading::ExpectedButSaw(
        "the child to print exactly \"This is a process!\"", by_others));
  }
  if (by_parent.find("This is a process!") == std::string::npos && by_parent != kParentLine &&
      !by_parent.empty()) {
    problems.push_back(mp::grading::ExpectedButSaw(
        "your program's own process to print exactly \"The process has completed.\"", by_parent));
  } else if (by_parent.empty()) {
    problems.push_back(
        "Your program's own process printed nothing: after waiting for the child, it should "
        "print \"The process has completed.\" (HINTS.md, hint 3).");
  }
  if (problems.empty() && printed != absl::StrCat(kChildLine, kParentLine)) {
    problems.push_back(absl::StrCat(
        mp::grading::ExpectedButSaw("the child's line, then the parent's", printed),
        "\nThe parent must wait for the child before printing its line (HINTS.md, hint 3)."));
  }
  if (run.exit_code != 0) {
    problems.push_back(absl::StrCat("The program should exit with 0, not ", run.exit_code, "."));
  }
  return problems;
}

// Pass criterion: the child prints its line, the parent waits for it (no child left
// running or unreaped at exit), then prints its own line, and the program exits 0.
TEST(CreateProcessGrade, AChildPrintsThenTheParentReapsItAndPrints) {
  mp::grading::Report(GradeRun());
}

}  // namespace
