// A wrong answer to exercise Q6 (the grader must fail it): one std::thread per number
// instead of a child process. The lines are right, but every one comes from the
// program's own process.

#include <cstdio>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"

ABSL_FLAG(int, processes, 4, "how many child processes to start (1 to 1000)");

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Starts N processes that each print their own number.");
  const int processes = absl::GetFlag(FLAGS_processes);
  if (processes < 1 || processes > 1000) mp::cli::ExitBadUsage("--processes must be 1 to 1000");
  std::vector<std::thread> threads;
  for (int number = 1; number <= processes; ++number) {
    threads.emplace_back([number] {
      std::printf("Process %d: Printing %d\n", number, number);
      std::fflush(stdout);
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::printf("All processes have completed.\n");
  return 0;
}
