// A wrong answer to exercise X1 (the grader must fail it): a new child for every round,
// each answering one ping, instead of one child for the whole game.

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, rounds, 3, "ping-pong rounds (1 to 1000)");

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Plays ping-pong between two processes over pipes.");
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (rounds < 1 || rounds > 1000) mp::cli::ExitBadUsage("--rounds must be 1 to 1000");
  for (int i = 1; i <= rounds; ++i) {
    int to_parent[2];
    if (pipe(to_parent) != 0) return 1;
    std::fflush(stdout);
    const pid_t child = fork();  // the mistake: one child per round
    if (child == 0) {
      close(to_parent[0]);
      std::printf("child got ping %d\n", i);
      std::fflush(stdout);
      const std::string pong = "pong " + std::to_string(i) + "\n";
      _exit(write(to_parent[1], pong.data(), pong.size()) == static_cast<ssize_t>(pong.size()) ? 0 : 1);
    }
    close(to_parent[1]);
    char buffer[64];
    const ssize_t got = read(to_parent[0], buffer, sizeof buffer);
    close(to_parent[0]);
    waitpid(child, nullptr, 0);
    if (got <= 1) return 1;
    std::printf("parent got %.*s\n", static_cast<int>(got - 1), buffer);
    std::fflush(stdout);
  }
  std::printf("done\n");
  return 0;
}
