// Exercise X9: run producer | filter | consumer as three processes, as a shell does.
//
// Goal (see README.md): run the three commands given by --producer, --filter and
// --consumer at the same time, the producer's stdout piped into the filter's stdin and
// the filter's stdout into the consumer's; the consumer writes to your stdout. When all
// three have ended, print "exit statuses: P F C", each stage's exit status in that order.
//
// Run it:    ./bazelw run //exercises/x9_pipeline -- --producer="seq 1 30" --filter="grep 3"
// Grade it:  ./bazelw test //exercises/x9_pipeline:grade

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(std::string, producer, "seq 1 30", "the first command: writes lines");
ABSL_FLAG(std::string, filter, "grep 3", "the second command: reads the first's output");
ABSL_FLAG(std::string, consumer, "wc -l", "the third command: reads the second's output");

// Helpers for you to use (they are used in the reference; [[maybe_unused]] keeps the
// compiler quiet until you call them).
namespace {

// "grep -v 3" -> {"grep", "-v", "3"}: words split at spaces (no quoting, as the README says).
std::vector<std::string> WordsOf(const std::string& command) {
  return absl::StrSplit(command, ' ', absl::SkipEmpty());
}

// Replaces this (child) process with `command`. Returns only if exec failed.
[[maybe_unused]] void Exec(const std::string& command) {
  std::vector<std::string> words = WordsOf(command);
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::perror(argv[0]);  // exec returns only on failure
}

// How a child ended, as a shell's $? says it: its exit code, or 128 + the signal.
[[maybe_unused]] int ShellStatus(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits for child `pid` (retrying when a signal interrupts) and returns its ShellStatus;
// -1 if `pid` is not a child of ours.
[[maybe_unused]] int WaitFor(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return ShellStatus(status);
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Runs producer | filter | consumer, as a shell does.");
  const std::vector<std::string> commands = {absl::GetFlag(FLAGS_producer),
                                             absl::GetFlag(FLAGS_filter),
                                             absl::GetFlag(FLAGS_consumer)};
  const char* flag_names[] = {"--producer", "--filter", "--consumer"};
  for (int i = 0; i < 3; ++i) {
    if (WordsOf(commands[i]).empty()) {
      mp::cli::ExitBadUsage(std::string(flag_names[i]) + " must name a program to run");
    }
  }

  int statuses[3] = {0, 0, 0};  // producer, filter, consumer
  // TODO(student): run the three commands as one pipeline, as a shell runs
  // `producer | filter | consumer`:
  //   1. make two pipes: the first from the producer to the filter, the second from the
  //      filter to the consumer;
  //   2. fork() three children; in each, dup2() the pipe ends it needs onto its stdin (0)
  //      and stdout (1), close every pipe end, and Exec() its command;
  //   3. in the parent, close every pipe end, then waitpid() for each child and keep its
  //      ShellStatus() in `statuses`.

  std::printf("exit statuses: %d %d %d\n", statuses[0], statuses[1], statuses[2]);
  return 0;
}
