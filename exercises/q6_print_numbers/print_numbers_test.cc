// The grader for exercise Q6 (run as `print_numbers_test <program> <pass|fail>`; see
// exercises/grading/grading.h).
//
// Any order of the children's lines is right: the scheduler decides it. So the grader
// checks properties, never one order: each number exactly once, whole lines, the final
// line last; and, through a socket that names the writer of every byte, that each
// number came from its own child process and the final line from the parent, after
// them all.

#include <sys/types.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/run_program.h"
#include "gtest/gtest.h"

namespace {

constexpr char kFinalLine[] = "All processes have completed.";
constexpr absl::Duration kTimeout = absl::Seconds(30);

// The number in "Process i: Printing i", or -1 if the line is anything else.
int NumberIn(absl::string_view line) {
  if (!absl::ConsumePrefix(&line, "Process ")) return -1;
  const std::vector<absl::string_view> parts = absl::StrSplit(line, ": Printing ");
  int first = 0;
  int second = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &first) ||
      !absl::SimpleAtoi(parts[1], &second) || first != second) {
    return -1;
  }
  return first;
}

// "1, 2, 3" for the first few of `numbers`, "..." after them.
std::string FirstFew(const std::vector<int>& numbers) {
  constexpr size_t kShown = 5;
  std::vector<int> shown(numbers.begin(), numbers.begin() + std::min(numbers.size(), kShown));
  return absl::StrCat(absl::StrJoin(shown, ", "), numbers.size() > kShown ? ", ..." : "");
}

// Problems with the text a run printed for `processes` children: one sentence per kind
// of problem, however many lines show it.
std::vector<std::string> CheckLines(const std::string& output, int processes) {
  std::vector<std::string> problems;
  const std::string where = absl::StrCat(" (with --processes=", processes, ")");
  if (output.empty() || output.back() != '\n') {
    problems.push_back(absl::StrCat("The output should end with a whole line", where, ". ",
                                    mp::grading::ExpectedButSaw("lines ending in \\n", output)));
  }
  const std::vector<std::string> lines = mp::grading::Lines(output);
  std::map<int, int> seen;  // number -> times printed
  std::vector<int> odd_lines;  // 1-based
  bool final_line_too_early = false;
  int final_lines = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == kFinalLine) {
      ++final_lines;
      final_line_too_early = final_line_too_early || i + 1 != lines.size();
      continue;
    }
    const int number = NumberIn(lines[i]);
    if (number < 1 || number > processes) {
      odd_lines.push_back(static_cast<int>(i + 1));
      continue;
    }
    ++seen[number];
  }
  if (final_lines > 1) {
    problems.push_back(absl::StrCat(
        "\"", kFinalLine, "\" was printed ", final_lines, " times", where, ": besides the parent, "
        "children printed it, so they went on after their own line (a break or return out "
        "of the fork() loop) instead of ending with _exit() (HINTS.md, hint 2)."));
  } else if (final_line_too_early) {
    problems.push_back(absl::StrCat("\"", kFinalLine, "\" must be the last line", where,
                                    ", after every child has ended: wait for all of them "
                                    "first (HINTS.md, hint 3)."));
  }
  if (!odd_lines.empty()) {
    const std::string& first = lines[static_cast<size_t>(odd_lines[0] - 1)];
    problems.push_back(absl::StrCat(
        odd_lines.size(), " lines", where, " are not \"Process i: Printing i\" for i from 1 to ",
        processes, ", nor the final line (lines ", FirstFew(odd_lines), "; the first is \"", first,
        "\"). A number above ", processes, " means a child went on around the fork() loop "
        "instead of ending with _exit(); a torn line means two processes wrote into one line "
        "(HINTS.md, hint 2)."));
  }
  if (lines.empty() || lines.back() != kFinalLine) {
    problems.push_back(absl::StrCat("The last line should be \"", kFinalLine, "\"", where, ". ",
                                    mp::grading::ExpectedButSaw("it", output)));
  }
  std::vector<int> missing;
  std::vector<int> repeated;
  for (int number = 1; number <= processes; ++number) {
    if (seen[number] == 0) missing.push_back(number);
    if (seen[number] > 1) repeated.push_back(number);
  }
  if (!missing.empty()) {
    problems.push_back(absl::StrCat(
        missing.size(), " of ", processes, processes == 1 ? " number was" : " numbers were",
        " never printed", where, " (",
        FirstFew(missing), "). A line lost through a pipe but seen on a terminal was never "
        "flushed: the child's printf() was still in its stdio buffer when it called _exit(); "
        "fflush(stdout) first (HINTS.md, hint 2)."));
  }
  if (!repeated.empty()) {
    problems.push_back(absl::StrCat(
        repeated.size(), repeated.size() == 1 ? " number was" : " numbers were",
        " printed more than once", where, " (", FirstFew(repeated),
        "). fork() copies whatever is still in the parent's stdio buffer into every child, "
        "which prints it again: fflush(stdout) before each fork() (HINTS.md, hint 2)."));
  }
  return problems;
}

// Pass criterion: with stdout a pipe and N in {1, 4, 16}, each number is printed once on
// a whole line, the final line comes last, and the program exits 0.
TEST(PrintNumbersGrade, EachNumberOnceOnWholeLinesThenTheFinalLine) {
  std::vector<std::string> problems;
  for (int processes : {1, 4, 16}) {
    absl::StatusOr<mp::grading::ProgramRun> run = mp::grading::RunWithPipes(
        mp::grading::Program(), {absl::StrCat("--processes=", processes)}, kTimeout);
    if (!run.ok()) {
      problems.push_back(absl::StrCat("The program did not finish: ", run.status().ToString()));
      continue;
    }
    if (run->exit_code != 0) {
      problems.push_back(absl::StrCat("With --processes=", processes,
                                      " the program should exit with 0, not ", run->exit_code,
                                      ". Its stderr: ", run->stderr_text));
    }
    for (std::string& problem : CheckLines(run->stdout_text, processes)) {
      problems.push_back(std::move(problem));
    }
    if (!problems.empty()) break;  // the same mistakes would show again with more processes
  }
  mp::grading::Report(problems);
}

// Pass criterion: each number is written by a different child process (not the parent),
// and the final line by the parent once every child has written its line.
TEST(PrintNumbersGrade, EachNumberComesFromItsOwnChildBeforeTheFinalLine) {
  std::vector<std::string> problems;
  for (int processes : {4, 16}) {
    absl::StatusOr<mp::grading::AttributedRun> run = mp::grading::RunAttributingOutput(
        mp::grading::Program(), {absl::StrCat("--processes=", processes)}, kTimeout);
    if (!run.ok()) {
      problems.push_back(absl::StrCat("The program did not finish: ", run.status().ToString()));
      continue;
    }
    std::set<pid_t> writers;
    bool final_line_seen = false;
    bool parent_printed_a_number = false;
    bool child_printed_final_line = false;
    bool line_after_final_line = false;
    for (const mp::grading::Write& write : run->writes) {
      for (absl::string_view line : absl::StrSplit(write.text, '\n', absl::SkipEmpty())) {
        if (line == kFinalLine) {
          final_line_seen = true;
          if (write.writer != run->pid && !child_printed_final_line) {
            child_printed_final_line = true;
            problems.push_back(absl::StrCat(
                "The final line was printed by process ", write.writer, ", a child, not by "
                "the parent (", run->pid, "): your child went on after printing its number "
                "(a break or return out of the fork() loop) instead of ending with _exit() "
                "(HINTS.md, hint 2)."));
          }
          continue;
        }
        if (final_line_seen && !line_after_final_line) {
          line_after_final_line = true;
          problems.push_back(absl::StrCat(
              "Process ", write.writer, " printed \"", std::string(line), "\" after the final "
              "line: the parent must wait for every child before printing it (HINTS.md, "
              "hint 3)."));
        }
        if (write.writer == run->pid && !parent_printed_a_number) {
          parent_printed_a_number = true;
          problems.push_back(absl::StrCat(
              "The parent printed \"", std::string(line), "\" itself; each number must be "
              "printed by a child process started with fork() (a thread is part of the same "
              "process) (HINTS.md, hint 1)."));
        }
        writers.insert(write.writer);
      }
    }
    writers.erase(run->pid);
    if (static_cast<int>(writers.size()) != processes) {
      problems.push_back(absl::StrCat("With --processes=", processes, ", ", writers.size(),
                                      " child processes printed; expected ", processes,
                                      ", one per number (HINTS.md, hint 1)."));
    }
    if (!problems.empty()) break;  // the same mistakes would show again with more processes
  }
  mp::grading::Report(problems);
}

// Pass criterion: the children all run at once (none is reaped before the last one is
// started), and when the program exits every child has been reaped: none still running,
// none a zombie. Seen under ptrace at each fork and at the exit, by the order of events:
// waitpid() inside the fork loop, or sleep() in place of waitpid(), fails on every run,
// however loaded the machine.
TEST(PrintNumbersGrade, ChildrenRunTogetherAndAreAllReapedBeforeTheProgramExits) {
  std::vector<std::string> problems;
  size_t most_running = 0;
  size_t most_unreaped = 0;
  bool one_after_another = false;
  for (int processes : {4, 16}) {
    absl::StatusOr<mp::grading::ObservedRun> run = mp::grading::RunObserved(
        mp::grading::Program(), {absl::StrCat("--processes=", processes)}, kTimeout);
    if (!run.ok()) {
      problems.push_back(absl::StrCat("The program did not finish: ", run.status().ToString()));
      continue;
    }
    most_running = std::max(most_running, run->running_at_exit.size());
    most_unreaped = std::max(most_unreaped, run->unreaped_at_exit.size());
    if (run->first_fork_after_a_reap != 0) one_after_another = true;
  }
  if (one_after_another) {
    problems.push_back(
        "Your children ran one after another, not at the same time: the program reaped a "
        "child before it had started the next (waitpid() inside the fork() loop). Start "
        "every child first, then wait for them all in a second loop (HINTS.md, hint 3).");
  }
  // One message per kind of problem, however many runs showed it.
  if (most_running > 0) {
    problems.push_back(absl::StrCat(
        "Your program exited while ", most_running, " of its children were still running: "
        "the parent must waitpid() for every child before it prints the final line "
        "(HINTS.md, hint 3)."));
  }
  if (most_unreaped > 0) {
    problems.push_back(absl::StrCat(
        "Your program exited without reaping ", most_unreaped, " children: they had ended, but "
        "nobody called waitpid() for them, so they were zombies. sleep() only waits for "
        "time; waitpid() waits for a child and collects it (HINTS.md, hint 3)."));
  }
  mp::grading::Report(problems);
}

// Pass criterion: --processes values that make no sense exit 2 with a message on stderr.
TEST(PrintNumbersGrade, BadProcessCountsExitTwoWithAMessage) {
  std::vector<std::string> problems;
  std::vector<std::string> accepted;  // values that did not exit 2 with a message
  for (const char* bad : {"0", "-1", "abc", "100000"}) {
    absl::StatusOr<mp::grading::ProgramRun> run = mp::grading::RunWithPipes(
        mp::grading::Program(), {absl::StrCat("--processes=", bad)}, kTimeout);
    if (!run.ok()) {
      problems.push_back(absl::StrCat("With --processes=", bad,
                                      " the program did not finish: ", run.status().ToString()));
      continue;
    }
    if (run->exit_code != 2 || run->stderr_text.empty()) {
      accepted.push_back(absl::StrCat("--processes=", bad, " (exit code ", run->exit_code, ")"));
    }
  }
  if (!accepted.empty()) {
    problems.push_back(absl::StrCat(
        "Values that make no sense should be refused: print why on stderr and exit with 2. "
        "Your program did not for ", absl::StrJoin(accepted, ", "), " (HINTS.md, hint 4)."));
  }
  mp::grading::Report(problems);
}

}  // namespace
