// Proves the claims of this lesson's README by running the demo with stdout as a pipe.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "process/testing/spawned_program.h"

namespace {

// Runs the demo with --processes=n; returns its stdout split into lines (the text after
// the last '\n' is kept as a line of its own, so a torn last line is seen).
std::vector<std::string> RunDemo(int n, int* exit_code, bool show_the_trap = false) {
  std::vector<std::string> args = {absl::StrCat("--processes=", n)};
  if (show_the_trap) args.push_back("--show_the_trap");
  absl::StatusOr<mp::test::ProgramOutput> output = mp::test::RunProgram(
      mp::test::Runfile("concepts/06_print_numbers/demo"), args, absl::Seconds(60));
  EXPECT_TRUE(output.ok()) << output.status();
  if (!output.ok()) return {};
  *exit_code = output->exit_code;
  return absl::StrSplit(output->stdout_text, '\n');
}

// Claim 1 and 2: for N in {1, 4, 16}, each child's line appears exactly once, whole, in
// any order, and the parent's line comes last, after every child's.
TEST(PrintNumbersTest, EachNumberPrintedOnceWholeAndTheParentLast) {
  for (int n : {1, 4, 16}) {
    SCOPED_TRACE(absl::StrCat("--processes=", n));
    int exit_code = -1;
    std::vector<std::string> lines = RunDemo(n, &exit_code);
    EXPECT_EQ(exit_code, 0);
    ASSERT_EQ(lines.size(), static_cast<size_t>(n) + 2) << "expected N+1 lines and a final newline";
    EXPECT_EQ(lines.back(), "");
    EXPECT_EQ(lines[n], "All processes have completed.");

    std::map<int, int> times_printed;
    for (int i = 0; i < n; ++i) {
      // A whole line is "Process <i>: Printing <i>", the same i twice.
      const std::string& line = lines[i];
      absl::string_view rest = line;
      int number = 0;
      ASSERT_TRUE(absl::ConsumePrefix(&rest, "Process ") &&
                  absl::SimpleAtoi(rest.substr(0, rest.find(':')), &number) &&
                  line == absl::StrCat("Process ", number, ": Printing ", number))
          << "torn or malformed line: " << line;
      ++times_printed[number];
    }
    for (int number = 1; number <= n; ++number) {
      EXPECT_EQ(times_printed[number], 1) << "Process " << number;
    }
    EXPECT_EQ(times_printed.size(), static_cast<size_t>(n)) << "numbers outside 1..N printed";
  }
}

// Claim 3: bad usage is refused with exit code 2 and starts nothing.
TEST(PrintNumbersTest, BadProcessCountsAreRefused) {
  for (int n : {0, -1, 1001}) {
    int exit_code = -1;
    std::vector<std::string> lines = RunDemo(n, &exit_code);
    EXPECT_EQ(exit_code, 2) << "--processes=" << n;
    EXPECT_EQ(lines, std::vector<std::string>{""});
  }
}

// Claim 4: a line printed with printf but not flushed before fork() is copied into every
// child's buffer; children that leave with exit() print it again. Stdout is a pipe here,
// so stdio buffers whole blocks, not lines.
TEST(PrintNumbersTest, AnUnflushedLineBeforeForkIsPrintedByEveryChildToo) {
  constexpr int kProcesses = 4;
  int exit_code = -1;
  std::vector<std::string> lines = RunDemo(kProcesses, &exit_code, /*show_the_trap=*/true);
  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "Starting 4 processes."), kProcesses + 1);
}

}  // namespace
