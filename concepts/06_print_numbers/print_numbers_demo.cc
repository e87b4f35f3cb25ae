// Q6: how do N processes each print a different number?
//
//   bazel run //concepts/06_print_numbers:demo -- --processes=8
//
// The parent starts N children with fork(); child i prints "Process i: Printing i" and
// exits; the parent waits for every child, then prints "All processes have completed."
// Run it a few times: the children's lines come in a different order each time, because
// the scheduler, not the program, decides who runs first. The last line never moves.
//
//   bazel run //concepts/06_print_numbers:demo -- --processes=4 --explore=200
//
// The interleaving explorer: runs the N children K times, each writing its number into a
// pipe, and shows how often each order came out (a histogram, printed and drawn as an
// SVG). With --chained, child i waits for child i-1's token before writing: one order only.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/cli/parse_flags.h"
#include "base/put_bug_back.h"
#include "base/xml_text.h"
#include "pool/trace/timeline_files.h"

ABSL_FLAG(int, processes, 4, "how many child processes to start (1 to 1000)");
ABSL_FLAG(bool, show_the_trap, false,
          "print a greeting with printf and fork without flushing, and let children leave with "
          "exit(): run with stdout piped (| cat) and count the greetings");
ABSL_FLAG(int, explore, 0,
          "the interleaving explorer: run the N children this many times (0 to 100000; 0: off) and show "
          "how often each order came out");
ABSL_FLAG(bool, chained, false, "with --explore: child i waits for child i-1 before writing (one order only)");
ABSL_FLAG(std::string, histogram_dir, "",
          "with --explore: where to write orders.svg; default $TMPDIR/mp-lesson6 (or /tmp/mp-lesson6)");

namespace {

// What child `number` does. write(2) of one whole line is a single system call, so lines
// from different children never interleave mid-line (POSIX makes writes of up to
// PIPE_BUF bytes to a pipe atomic). _exit() ends the child without running the parent's
// exit handlers or flushing a copy of the parent's stdio buffer.
[[noreturn]] void RunChild(int number, bool show_the_trap) {
  const std::string line = absl::StrCat("Process ", number, ": Printing ", number, "\n");
  const bool written = write(STDOUT_FILENO, line.data(), line.size()) ==
                       static_cast<ssize_t>(line.size());
  // exit() flushes this child's copy of the parent's unflushed buffer: the trap.
  if (show_the_trap) std::exit(written ? 0 : 1);
  _exit(written ? 0 : 1);
}

// One run of the explorer: `processes` children each write their number into one pipe
// and leave; returns the numbers in the order they arrived. Chained, child i first waits
// for a byte from child i-1, so the program, not the scheduler, fixes the order.
std::vector<int> OneRun(int processes, bool chained) {
  int numbers[2];
  if (pipe(numbers) != 0) return {};
  std::vector<std::pair<int, int>> tokens(chained ? processes : 0, {-1, -1});  // tokens[i]: i -> i+1
  for (auto& token : tokens) {
    int ends[2];
    if (pipe(ends) == 0) token = {ends[0], ends[1]};
  }
  // Claim 5's counterfactual (base/put_bug_back.h): the chain run the wrong way, child
  // i waiting for child i+1, so that the one order seen is not 1 2 ... N.
  const bool backwards = chained && mp::internal::BugPutBack("chain_runs_backwards");
  std::vector<pid_t> children;
  for (int number = 1; number <= processes; ++number) {
    const pid_t pid = fork();
    if (pid == 0) {
      char token = 0;
      if (chained && !backwards && number > 1) (void)!read(tokens[number - 2].first, &token, 1);
      if (backwards && number < processes) (void)!read(tokens[number - 1].first, &token, 1);
      const std::string line = absl::StrCat(number, "\n");
      (void)!write(numbers[1], line.data(), line.size());
      if (chained && !backwards) (void)!write(tokens[number - 1].second, &token, 1);
      if (backwards && number > 1) (void)!write(tokens[number - 2].second, &token, 1);
      _exit(0);
    }
    if (pid > 0) children.push_back(pid);
  }
  // The parent keeps no write end, so the read below ends when the last child has left.
  close(numbers[1]);
  for (auto& [read_end, write_end] : tokens) {
    close(read_end);
    close(write_end);
  }
  std::string text;
  char buffer[4096];
  for (ssize_t got; (got = read(numbers[0], buffer, sizeof buffer)) != 0;) {
    if (got > 0) text.append(buffer, got);
    else if (errno != EINTR) break;
  }
  close(numbers[0]);
  for (pid_t child : children) {
    while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  std::vector<int> order;
  for (size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
    order.push_back(std::atoi(text.substr(at, end - at).c_str()));
  }
  return order;
}

// The orders seen, most frequent first, as a horizontal bar chart.
std::string OrdersSvg(const std::vector<std::pair<std::string, int>>& orders, int runs, int processes) {
  const size_t shown = std::min<size_t>(orders.size(), 30);
  const int most = orders.empty() ? 1 : orders.front().second;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\">%s</text>\n",
      static_cast<int>(40 + 18 * shown + 10),
      mp::XmlEscaped(absl::StrCat(runs, " runs of ", processes, " processes: ", orders.size(),
                                  orders.size() == 1 ? " order seen" : " different orders seen", orders.size() > shown ? " (the 30 most frequent shown)" : "")));
  for (size_t i = 0; i < shown; ++i) {
    const double y = 34 + 18.0 * static_cast<double>(i);
    const double width = 480.0 * orders[i].second / most;
    absl::StrAppendFormat(&svg,
                          "<text x=\"10\" y=\"%.1f\" font-family=\"monospace\">%s</text>\n"
                          "<rect class=\"order\" x=\"220\" y=\"%.1f\" width=\"%.1f\" height=\"13\" fill=\"#6a9fd4\"/>\n"
                          "<text x=\"%.1f\" y=\"%.1f\">%d</text>\n",
                          y + 11, mp::XmlEscaped(orders[i].first), y, std::max(width, 1.0), 226 + width, y + 11,
                          orders[i].second);
  }
  return svg + "</svg>\n";
}

// The explorer: K runs, the histogram of the orders seen, and what it means.
int Explore(int processes, int runs, bool chained) {
  std::map<std::string, int> seen;
  for (int run = 0; run < runs; ++run) {
    const std::vector<int> order = OneRun(processes, chained);
    if (static_cast<int>(order.size()) != processes) {
      std::fprintf(stderr, "run %d: %zu of %d numbers arrived\n", run, order.size(), processes);
      return 1;
    }
    ++seen[absl::StrJoin(order, " ")];
  }
  std::vector<std::pair<std::string, int>> orders(seen.begin(), seen.end());
  std::stable_sort(orders.begin(), orders.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  double possible = 1;
  for (int i = 2; i <= processes; ++i) possible *= i;
  std::printf("\nThe interleaving explorer: %d runs of %d processes%s; %zu different order%s seen, of %.0f possible.\n",
              runs, processes, chained ? ", chained" : "", orders.size(), orders.size() == 1 ? "" : "s", possible);
  for (size_t i = 0; i < std::min<size_t>(orders.size(), 24); ++i) {
    const int bar = std::max(1, 40 * orders[i].second / orders.front().second);
    std::printf("  %-24s %s %d\n", orders[i].first.c_str(), std::string(bar, '#').c_str(), orders[i].second);
  }
  if (orders.size() > 24) std::printf("  ... and %zu more orders\n", orders.size() - 24);
  // Judged from what was seen, not from what the lesson expects.
  if (chained) {
    std::printf(orders.size() == 1 ? "Chained, one order only: the program decided it, not the scheduler.\n"
                                   : "Chained, yet more than one order: the chain is broken.\n");
  } else if (orders.size() == 1 && processes > 1) {
    std::printf("Only one order this time: with few CPUs free the scheduler ran the children as they were\n"
                "started. Nothing in the program promises it; try more --explore runs, or --processes.\n");
  } else if (processes > 1) {
    std::printf("Same program, same input, %zu different orders: the scheduler decides who writes first.\n",
                orders.size());
  }
  absl::StatusOr<std::string> dir = mp::trace::TimelineDirectory(
      mp::cli::UserPath(absl::GetFlag(FLAGS_histogram_dir)), "mp-lesson6");
  if (!dir.ok()) mp::cli::ExitBadUsage("--histogram_dir: " + std::string(dir.status().message()));
  const std::string svg = *dir + "/orders.svg";
  if (absl::Status written = mp::trace::WriteWholeFile(svg, OrdersSvg(orders, runs, processes)); !written.ok()) {
    std::fprintf(stderr, "%s\n", written.ToString().c_str());
    return 1;
  }
  std::printf("The histogram as a picture: %s\n", svg.c_str());
  return orders.size() == 1 || !chained ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Starts N processes that each print their own number.");
  const int processes = absl::GetFlag(FLAGS_processes);
  // (Claim 3's counterfactual, base/put_bug_back.h: a count below 1 let through.)
  const bool below_one_accepted = mp::internal::BugPutBack("process_count_below_one_accepted");
  if ((processes < 1 && !below_one_accepted) || processes > 1000) {
    mp::cli::ExitBadUsage("--processes must be 1 to 1000");
  }

  const int explore = absl::GetFlag(FLAGS_explore);
  if (explore < 0 || explore > 100'000) mp::cli::ExitBadUsage("--explore must be 0 to 100000");
  if (explore > 0 && processes > 100) mp::cli::ExitBadUsage("--processes must be 1 to 100 with --explore");
  if (absl::GetFlag(FLAGS_chained) && explore == 0) mp::cli::ExitBadUsage("--chained needs --explore");

  const bool show_the_trap = absl::GetFlag(FLAGS_show_the_trap);
  if (show_the_trap) std::printf("Starting %d processes.\n", processes);

  // Anything still in our stdio buffer would be copied into every child by fork() and
  // could be printed N+1 times. Flush before forking (unless showing what happens if not).
  if (!show_the_trap) std::fflush(stdout);

  // Claim 2's counterfactual (base/put_bug_back.h): the parent's line printed without
  // waiting for the children; before they even start, so that the test sees it surely.
  const bool parent_first = mp::internal::BugPutBack("parent_prints_before_waiting");
  if (parent_first) {
    std::printf("All processes have completed.\n");
    std::fflush(stdout);
  }

  std::vector<pid_t> children;
  for (int number = 1; number <= processes; ++number) {
    const pid_t pid = fork();
    if (pid == 0) RunChild(number, show_the_trap);
    if (pid < 0) {
      std::perror("fork");
      break;  // still wait for the children already started
    }
    children.push_back(pid);
  }

  // Wait for (reap) every child, so none is left a zombie, and check each succeeded.
  bool all_succeeded = static_cast<int>(children.size()) == processes;
  for (pid_t child : children) {
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    all_succeeded = all_succeeded && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!all_succeeded) {
    std::fprintf(stderr, "Some processes failed.\n");
    return 1;
  }
  if (!parent_first) std::printf("All processes have completed.\n");
  if (explore > 0) {
    std::fflush(stdout);  // before the explorer forks
    return Explore(processes, explore, absl::GetFlag(FLAGS_chained));
  }
  return 0;
}
