#include "concepts/lessons.h"

#include <vector>

namespace mp::concepts {

const std::vector<Lesson>& Lessons() {
  static const auto* const lessons = new std::vector<Lesson>{
      {"1", "01_why_multiprocessing", "What is multiprocessing, and why is it useful?", {}, {"--quick"}},
      {"2", "02_processes_vs_threads", "How do multiprocessing and multithreading differ?", {},
       {"--quick"}},
      {"3", "03_create_a_process", "How do you create a process?", {}, {}},
      {"3b", "03b_fork_exec_wait", "How do fork, exec and wait work, by hand?", {}, {}},
      {"4", "04_what_is_a_pool", "What is a process pool, and why use one?", {}, {"--tasks=100"}},
      {"5", "05_create_a_pool", "How do you create a pool of worker processes?", {}, {}},
      {"6", "06_print_numbers", "How do N processes each print a different number?",
       {"--processes=8", "--explore=200"}, {"--processes=4", "--explore=100"}},
      {"7", "07_start_methods", "How does a child process begin: fork, spawn or forkserver?", {},
       {}},
      {"8", "08_ipc", "How do processes talk to each other?", {}, {"--quick"}},
      {"9", "09_fault_tolerance", "What happens when a worker process crashes?", {}, {}},
      {"9b", "09b_signals", "What do signals, process groups and Ctrl-C do to processes?", {}, {}},
      {"10", "10_going_distributed", "What changes when the workers are on other machines?", {},
       {"--quick"}},
  };
  return *lessons;
}

}  // namespace mp::concepts
