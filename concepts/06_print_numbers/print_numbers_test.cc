// Proves the claims of this lesson's README by running the demo with stdout as a pipe.

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "process/testing/counterfactual.h"
#include "process/testing/spawned_program.h"

namespace {

// Runs the demo with --processes=n; returns its stdout split into lines (the text after
// the last '\n' is kept as a line of its own, so a torn last line is seen).
std::vector<std::string> RunDemo(int n, int* exit_code, bool show_the_trap = false,
                                 std::vector<std::string> more_args = {}) {
  std::vector<std::string> args = {absl::StrCat("--processes=", n)};
  if (show_the_trap) args.push_back("--show_the_trap");
  args.insert(args.end(), more_args.begin(), more_args.end());
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

// The explorer's histogram: {order, times seen}, from its lines "  1 3 2 4   ### 12".
std::map<std::string, int> ExploredOrders(const std::vector<std::string>& lines) {
  std::map<std::string, int> orders;
  for (const std::string& line : lines) {
    const size_t bar = line.find(" #");
    if (line.rfind("  ", 0) != 0 || bar == std::string::npos) continue;
    int times = 0;
    EXPECT_TRUE(absl::SimpleAtoi(line.substr(line.rfind(' ') + 1), &times)) << line;
    orders[std::string(absl::StripAsciiWhitespace(line.substr(0, bar)))] = times;
  }
  return orders;
}

// Claim 5: the explorer runs the N children K times; every order it reports is a
// permutation of 1..N and the counts add up to K; chained, child i waits for child i-1,
// and exactly one order, 1..N, is ever seen. (Unchained, how many orders appear is the
// scheduler's choice, so no count is asserted: on one CPU it is often one.)
TEST(PrintNumbersTest, TheExplorerSeesOnlyPermutationsAndChainingLeavesOneOrder) {
  const std::string dir = absl::StrCat("--histogram_dir=", std::getenv("TEST_TMPDIR"));
  for (bool chained : {false, true}) {
    SCOPED_TRACE(chained ? "chained" : "free");
    int exit_code = -1;
    std::vector<std::string> args = {"--explore=30", dir};
    if (chained) args.push_back("--chained");
    const std::map<std::string, int> orders = ExploredOrders(RunDemo(4, &exit_code, false, args));
    EXPECT_EQ(exit_code, 0);
    int runs = 0;
    for (const auto& [order, times] : orders) {
      std::vector<std::string> numbers = absl::StrSplit(order, ' ');
      std::sort(numbers.begin(), numbers.end());
      EXPECT_EQ(numbers, (std::vector<std::string>{"1", "2", "3", "4"})) << order;
      runs += times;
    }
    EXPECT_EQ(runs, 30) << "the histogram's counts must add up to the runs (the demo lists up to 24 orders, all of those of 4 processes)";
    if (chained) {
      EXPECT_EQ(orders, (std::map<std::string, int>{{"1 2 3 4", 30}}));
    }
  }
}

// Claims 2, 3 and 5, counterfactuals: each test fails with its bug put back in the demo
// (base/put_bug_back.h), run again in a child process that passes the bug on to the demo.
TEST(PrintNumbersTest, TheParentPrintingBeforeWaitingFailsClaim2) {
  const absl::Status shown = mp::test::FailsWithBugPutBack(
      "PrintNumbersTest.EachNumberPrintedOnceWholeAndTheParentLast", "parent_prints_before_waiting");
  EXPECT_TRUE(shown.ok()) << shown;
}

TEST(PrintNumbersTest, ACountBelowOneAcceptedFailsClaim3) {
  const absl::Status shown = mp::test::FailsWithBugPutBack(
      "PrintNumbersTest.BadProcessCountsAreRefused", "process_count_below_one_accepted");
  EXPECT_TRUE(shown.ok()) << shown;
}

TEST(PrintNumbersTest, AChainRunBackwardsFailsClaim5) {
  const absl::Status shown = mp::test::FailsWithBugPutBack(
      "PrintNumbersTest.TheExplorerSeesOnlyPermutationsAndChainingLeavesOneOrder",
      "chain_runs_backwards");
  EXPECT_TRUE(shown.ok()) << shown;
}

}  // namespace
