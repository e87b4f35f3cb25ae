// Reference solution for exercise X1: ping-pong between a parent and a child over pipes.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, rounds, 3, "ping-pong rounds (1 to 1000)");

// Writes all of `message` (a pipe may take less than asked for).
bool WriteAll(int fd, const std::string& message) {
  size_t done = 0;
  while (done < message.size()) {
    const ssize_t wrote = write(fd, message.data() + done, message.size() - done);
    if (wrote <= 0) return false;
    done += static_cast<size_t>(wrote);
  }
  return true;
}

// Reads one '\n'-terminated line (without the '\n'), a byte at a time; false at end of
// file.
bool ReadLine(int fd, std::string& line) {
  line.clear();
  char byte;
  while (read(fd, &byte, 1) == 1) {
    if (byte == '\n') return true;
    line += byte;
  }
  return false;
}

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Plays ping-pong between two processes over pipes.");
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (rounds < 1 || rounds > 1000) mp::cli::ExitBadUsage("--rounds must be 1 to 1000");

  // A pipe carries bytes one way: to_child for pings, to_parent for pongs.
  int to_child[2];
  int to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
    std::perror("pipe");
    return 1;
  }
  std::fflush(stdout);  // nothing buffered may be copied into the child
  const pid_t child = fork();
  if (child < 0) {
    std::perror("fork");
    return 1;
  }
  if (child == 0) {
    // The child keeps the read end of to_child and the write end of to_parent. Closing
    // the others matters: a pipe reports end of file only when every write end is closed,
    // including copies in processes that never write.
    close(to_child[1]);
    close(to_parent[0]);
    std::string ping;
    while (ReadLine(to_child[0], ping)) {
      const std::string number = ping.substr(ping.find(' ') + 1);
      std::printf("child got %s\n", ping.c_str());
      std::fflush(stdout);  // our line, before the parent can print its answer's
      if (!WriteAll(to_parent[1], "pong " + number + "\n")) _exit(1);
    }
    _exit(0);  // the parent closed its end: the game is over
  }
  close(to_child[0]);
  close(to_parent[1]);
  std::string pong;
  for (int i = 1; i <= rounds; ++i) {
    if (!WriteAll(to_child[1], "ping " + std::to_string(i) + "\n") ||
        !ReadLine(to_parent[0], pong)) {
      std::fprintf(stderr, "the child stopped answering\n");
      return 1;
    }
    std::printf("parent got %s\n", pong.c_str());
    std::fflush(stdout);
  }
  close(to_child[1]);  // end of file for the child
  close(to_parent[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "the child failed\n");
    return 1;
  }
  std::printf("done\n");
  return 0;
}
