// What does it cost to start a process (or a thread) that does nothing and wait for it?
//
//   bazel run -c opt //benchmarks:spawn_benchmark -- --benchmark_repetitions=7
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//   (one command line)
//
// Each benchmark starts one child that exits at once, then waits for it. Clocks: wall
// time (UseRealTime), because the work happens in another process or thread, which
// Google Benchmark's default per-thread CPU timer would not see; and the process's CPU
// time (MeasureProcessCPUTime), which counts our own threads only, never the children's.
//
// After the table it prints each method's cost as a ratio to raw fork+waitpid measured
// in the same run: the figure the process/ README quotes. The peers: mp::Subprocess and
// Boost.Process starting /bin/true (beside fork+exec and posix_spawn of it), and the floor for starting
// any program, fork+exec of a statically linked one that exits at once.

#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "base/cli/runfile.h"
#include "benchmark/benchmark.h"
#include "benchmarks/summary_reporter.h"
#include "boost/process/child.hpp"
#include "process/hand_off.h"
#include "process/process.h"
#include "process/subprocess.h"
#include "process/task_registry.h"

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

// vfork: the child borrows the parent's memory (no page tables copied) and the parent
// sleeps until the child exits or execs. The child may do almost nothing but _exit.
void BM_VforkWaitpid(benchmark::State& state) {
  for (auto _ : state) {
    const pid_t child = vfork();
    if (child == 0) _exit(0);
    WaitFor(state, child);
  }
}
BENCHMARK(BM_VforkWaitpid)->UseRealTime()->MeasureProcessCPUTime();

// fork + exec of `program`, which takes no arguments, and wait for it.
void ForkExecAndWait(benchmark::State& state, char* program) {
  char* const argv[] = {program, nullptr};
  for (auto _ : state) {
    const pid_t child = fork();
    if (child == 0) {
      execve(argv[0], argv, environ);
      _exit(127);
    }
    WaitFor(state, child);
  }
}

// fork + exec of a small program: what starting an external program costs.
void BM_ForkExecTrue(benchmark::State& state) {
  ForkExecAndWait(state, const_cast<char*>("/bin/true"));
}
BENCHMARK(BM_ForkExecTrue)->UseRealTime()->MeasureProcessCPUTime();

// The floor for starting a program: fork + exec of one linked statically (no dynamic
// loader, no shared library to map) that exits at once.
std::string minimal_static_program;  // its path, found from argv[0] in main()

void BM_ForkExecStatic(benchmark::State& state) {
  if (minimal_static_program.empty()) return state.SkipWithError("no minimal_static_program: use bazel run");
  ForkExecAndWait(state, minimal_static_program.data());
}
BENCHMARK(BM_ForkExecStatic)->UseRealTime()->MeasureProcessCPUTime();

// Boost.Process starting /bin/true: the peer a C++ user would pick for external programs.
void BM_BoostProcessTrue(benchmark::State& state) {
  for (auto _ : state) {
    try {
      boost::process::child child("/bin/true");
      child.wait();
      if (child.exit_code() != 0) return state.SkipWithError("/bin/true did not exit with 0");
    } catch (const std::exception& error) {
      return state.SkipWithError(error.what());
    }
  }
}
BENCHMARK(BM_BoostProcessTrue)->UseRealTime()->MeasureProcessCPUTime();

// mp::Subprocess starting /bin/true: the library's way to run an external program.
void BM_SubprocessTrue(benchmark::State& state) {
  mp::Command command;
  command.argv = {"/bin/true"};
  for (auto _ : state) {
    absl::StatusOr<mp::Subprocess> child = mp::Subprocess::Start(command);
    if (!child.ok()) return state.SkipWithError(child.status().ToString().c_str());
    absl::StatusOr<int> code = child->Wait();
    if (!code.ok() || *code != 0) return state.SkipWithError("/bin/true did not exit with 0");
  }
}
BENCHMARK(BM_SubprocessTrue)->UseRealTime()->MeasureProcessCPUTime();

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

void ExitAtOnce() {}
MP_REGISTER_TASK(ExitAtOnce);

// mp::Process: the same empty child, through the library, with each start method.
void BM_ProcessStartJoin(benchmark::State& state, mp::StartMethod method) {
  const auto run_one = [&state, method] {
    mp::Process process({.start_method = method}, ExitAtOnce);
    if (!process.Start().ok() || !process.Join().ok() || process.exit_code() != 0) {
      state.SkipWithError("mp::Process failed to start or to exit cleanly");
      return false;
    }
    return true;
  };
  if (!run_one()) return;  // untimed: starts the fork server, if this method has one
  for (auto _ : state) {
    if (!run_one()) break;
  }
}
BENCHMARK_CAPTURE(BM_ProcessStartJoin, fork, mp::StartMethod::kFork)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_ProcessStartJoin, spawn, mp::StartMethod::kSpawn)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(BM_ProcessStartJoin, forkserver, mp::StartMethod::kForkServer)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// Every benchmark's wall time as a ratio to BM_ForkWaitpid, after the table.
class RatioReporter : public mp::bench::SummaryReporter {
  void PrintSummary(const mp::bench::WallTimes& wall_time, bool medians) override {
    const auto baseline = wall_time.find("BM_ForkWaitpid/process_time/real_time");
    if (baseline == wall_time.end() || baseline->second <= 0) return;
    std::printf("\nWall time per start+join (%s), relative to fork+waitpid in this run:\n",
                medians ? "medians" : "one run each");
    for (const auto& [name, time] : wall_time) {
      std::printf("  %-58s %6.2fx\n", name.c_str(), time / baseline->second);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);  // BM_ProcessStartJoin/spawn starts this binary
  if (absl::StatusOr<std::string> found = mp::cli::FindRunfile(argv[0], "benchmarks/minimal_static_program");
      found.ok()) {
    minimal_static_program = *found;
  }
  RatioReporter reporter;
  return mp::bench::RunBenchmarks(argc, argv, &reporter);
}
