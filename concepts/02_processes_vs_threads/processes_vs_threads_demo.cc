// Q2: how do multiprocessing and multithreading differ?
//
//   bazel run -c opt //concepts/02_processes_vs_threads:demo
//   bazel run //concepts/02_processes_vs_threads:demo -- --crash_a_thread   # watch it die
//
// Three experiments, each printed as it happens:
//   1. memory: a child process and a thread each set a global to 42; who sees it?
//   2. crashes: a child process crashes; then (with --crash_a_thread) a thread does.
//   3. CPU: counting primes on 1 and on N workers, as processes, as threads, and as
//      threads under one global lock (a model of CPython's GIL).

#include <signal.h>

#include <cstdio>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "base/cli/parse_flags.h"
#include "concepts/live_scaling_table.h"
#include "process/cpu_count.h"
#include "process/process.h"

ABSL_FLAG(int, workers, 0, "widest point of the CPU experiment; 0 means CpuCount()");
ABSL_FLAG(bool, quick, false, "a shorter CPU experiment (noisier figures)");
ABSL_FLAG(bool, crash_a_thread, false,
          "end by crashing a thread, to see it take the whole demo down (exit by SIGSEGV)");

namespace {

int counter = 0;  // an ordinary global: every process has its own

[[noreturn]] void Segfault() {
  signal(SIGSEGV, SIG_DFL);  // the default action, not a sanitizer's report
  raise(SIGSEGV);
  std::abort();  // not reached
}

void MemoryExperiment() {
  std::printf("1. Memory\n");
  counter = 0;
  mp::Process child([] { counter = 42; });
  if (!child.Start().ok() || !child.Join().ok()) return;
  std::printf("   a child process set counter = 42;  the parent sees counter = %d\n", counter);
  std::thread thread([] { counter = 42; });
  thread.join();
  std::printf("   a thread set counter = 42;         the main thread sees counter = %d\n\n",
              counter);
}

void CrashExperiment() {
  std::printf("2. Crashes\n");
  std::fflush(stdout);
  mp::Process crasher([] { Segfault(); });
  if (!crasher.Start().ok() || !crasher.Join().ok()) return;
  std::printf("   a child process crashed (exit code %d, SIGSEGV); this process runs on\n",
              crasher.exit_code().value_or(0));
  std::printf("   a thread that crashes takes the whole process down: try --crash_a_thread\n\n");
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Processes and threads side by side: memory, crashes, CPU.");
  const int workers = absl::GetFlag(FLAGS_workers) == 0 ? mp::CpuCount() : absl::GetFlag(FLAGS_workers);
  if (workers < 1 || workers > 256) mp::cli::ExitBadUsage("--workers must be 0 to 256");

  MemoryExperiment();
  CrashExperiment();

  std::printf("3. CPU: counting primes on 1 and %d workers (this machine has %d CPUs for us)\n\n",
              workers, mp::CpuCount());
  std::fflush(stdout);
  const absl::StatusOr<mp::concepts::ScalingTable> table = mp::concepts::MeasureScalingTable(
      workers == 1 ? std::vector<int>{1} : std::vector<int>{1, workers},
      absl::GetFlag(FLAGS_quick) ? 0.1 : 0.5, /*repetitions=*/3);
  if (!table.ok()) {
    std::fprintf(stderr, "the CPU experiment failed: %s\n", table.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n%s\n", table->markdown.c_str(), mp::concepts::JudgeScaling(*table).c_str());

  if (absl::GetFlag(FLAGS_crash_a_thread)) {
    std::printf("\nNow a thread crashes. Nothing after this line is printed:\n");
    std::fflush(stdout);
    std::thread crasher(Segfault);
    crasher.join();
    std::printf("not reached: the thread's crash ended the whole process\n");
  }
  return 0;
}
