// Reference solution for exercise X9: producer | filter | consumer, as a shell runs it.

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

namespace {

// "grep -v 3" -> {"grep", "-v", "3"}: words split at spaces (no quoting, as the README says).
std::vector<std::string> WordsOf(const std::string& command) {
  return absl::StrSplit(command, ' ', absl::SkipEmpty());
}

// Replaces this (child) process with `command`. Returns only if exec failed.
void Exec(const std::string& command) {
  std::vector<std::string> words = WordsOf(command);
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::perror(argv[0]);  // exec returns only on failure
}

// How a child ended, as a shell's $? says it: its exit code, or 128 + the signal.
int ShellStatus(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits for child `pid` (retrying when a signal interrupts) and returns its ShellStatus;
// -1 if `pid` is not a child of ours.
int WaitFor(pid_t pid) {
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

  // first: producer -> filter; second: filter -> consumer. [0] reads, [1] writes.
  int first[2];
  int second[2];
  if (pipe(first) != 0 || pipe(second) != 0) {
    std::perror("pipe");
    return 1;
  }
  const int all_ends[] = {first[0], first[1], second[0], second[1]};
  // Each stage: what becomes its stdin and stdout (-1: keep the program's own).
  const int stdin_of[] = {-1, first[0], second[0]};
  const int stdout_of[] = {first[1], second[1], -1};

  pid_t pids[3];
  for (int i = 0; i < 3; ++i) {
    pids[i] = fork();
    if (pids[i] < 0) {
      std::perror("fork");
      return 1;
    }
    if (pids[i] == 0) {
      // dup2 first (it copies the end onto 0 or 1), then close every original: a copy of a
      // write end left open anywhere keeps its reader from ever seeing end of file.
      if (stdin_of[i] >= 0) dup2(stdin_of[i], STDIN_FILENO);
      if (stdout_of[i] >= 0) dup2(stdout_of[i], STDOUT_FILENO);
      for (int end : all_ends) close(end);
      Exec(commands[i]);
      _exit(127);  // as a shell does for a command it cannot run
    }
  }
  // The parent uses no end: close them all before waiting, or the filter and the
  // consumer wait forever for an end of file that our copies hold back.
  for (int end : all_ends) close(end);

  int statuses[3];
  for (int i = 0; i < 3; ++i) statuses[i] = WaitFor(pids[i]);
  std::printf("exit statuses: %d %d %d\n", statuses[0], statuses[1], statuses[2]);
  return 0;
}
