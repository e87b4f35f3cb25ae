// A wrong answer to exercise X1 (the grader must fail it): the game is played over two
// pipes, but the "child" is a std::thread of the same process.

#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, rounds, 3, "ping-pong rounds (1 to 1000)");

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
  int to_child[2];
  int to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) return 1;
  std::thread child([&] {  // the mistake: a thread, not a process
    std::string ping;
    while (ReadLine(to_child[0], ping)) {
      std::printf("child got %s\n", ping.c_str());
      std::fflush(stdout);
      const std::string pong = "pong " + ping.substr(ping.find(' ') + 1) + "\n";
      if (write(to_parent[1], pong.data(), pong.size()) < 0) return;
    }
  });
  std::string pong;
  for (int i = 1; i <= rounds; ++i) {
    const std::string ping = "ping " + std::to_string(i) + "\n";
    if (write(to_child[1], ping.data(), ping.size()) < 0 || !ReadLine(to_parent[0], pong)) return 1;
    std::printf("parent got %s\n", pong.c_str());
    std::fflush(stdout);
  }
  close(to_child[1]);
  child.join();
  std::printf("done\n");
  return 0;
}
