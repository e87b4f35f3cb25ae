// What does it cost to start a process (or a thread) that does nothing and wait for it?
//
//   bazel run -c opt //benchmarks:spawn_benchmark
//
// Each benchmark starts one child that exits at once, then waits for it. Clocks: wall
// time (UseRealTime), because the work happens in another process or thread, which
// Google Benchmark's default per-thread CPU timer would not see; and the process's CPU
// time (MeasureProcessCPUTime), which counts our own threads only, never the children's.
// mp::Process joins these baselines when process/ provides it.

#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "benchmark/benchmark.h"

extern char** environ;

namespace {

void WaitFor(benchmark::State& state, pid_t child) {
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    state.SkipWithError("the child failed to start or to exit cleanly");
  }
}

// The baseline: the fork(2) + waitpid(2) pair every other method is compared with.
void BM_ForkWaitpid(benchmark::State& state) {
  for (auto _ : state) {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    WaitFor(state, child);
  }
}
BENCHMARK(BM_ForkWaitpid)->UseRealTime()->MeasureProcessCPUTime();

// fork + exec of a small program: what starting an external program costs.
void BM_ForkExecTrue(benchmark::State& state) {
  char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
  for (auto _ : state) {
    const pid_t child = fork();
    if (child == 0) {
      execve(argv[0], argv, environ);
      _exit(127);
    }
    WaitFor(state, child);
  }
}
BENCHMARK(BM_ForkExecTrue)->UseRealTime()->MeasureProcessCPUTime();

// posix_spawn of the same program: glibc uses clone(CLONE_VM | CLONE_VFORK), so the
// parent's memory is never copied.
void BM_PosixSpawnTrue(benchmark::State& state) {
  char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
  for (auto _ : state) {
    pid_t child = -1;
    if (posix_spawn(&child, argv[0], nullptr, nullptr, argv, environ) != 0) child = -1;
    WaitFor(state, child);
  }
}
BENCHMARK(BM_PosixSpawnTrue)->UseRealTime()->MeasureProcessCPUTime();

// A thread instead of a process: no new address space at all.
void BM_ThreadStartJoin(benchmark::State& state) {
  for (auto _ : state) {
    std::thread thread([] {});
    thread.join();
  }
}
BENCHMARK(BM_ThreadStartJoin)->UseRealTime()->MeasureProcessCPUTime();

}  // namespace
