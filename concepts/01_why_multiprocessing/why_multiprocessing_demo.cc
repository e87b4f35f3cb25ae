// Q1: what is multiprocessing, and why is it useful?
//
//   bazel run -c opt //concepts/01_why_multiprocessing:demo
//   bazel run -c opt //concepts/01_why_multiprocessing:demo -- --workers=8
//
// Four short experiments, each on 1 worker process and on N:
//   1. CPU-bound work (counting primes): N processes on N cores finish about N times sooner.
//   2. Blocking work (each task waits 4 ms, as for a disk): N workers overlap their waits,
//      even more workers than cores.
//   3. Tiny tasks: shipping a task to another process costs more than running it here.
//   4. Isolation: a child process crashes; this one carries on.

#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "scaling/engines.h"
#include "scaling/workloads.h"
#include "concepts/live_scaling_table.h"
#include "pool/pool.h"
#include "process/cpu_count.h"
#include "process/process.h"

ABSL_FLAG(int, workers, 0, "N, the wider pool; 0 means CpuCount() (at least 2)");
ABSL_FLAG(bool, quick, false, "smaller jobs (noisier figures)");

namespace {

using mp::scaling::Engine;
using mp::scaling::Workload;

bool CompareOneAndN(const std::string& title, Workload workload, int workers, const mp::scaling::WorkSize& size) {
  // Medians of 3 timed jobs, each pool warmed up first.
  absl::StatusOr<mp::concepts::MedianJob> one =
      mp::concepts::RunMedianJob(Engine::kProcesses, workload, 1, size, 3);
  absl::StatusOr<mp::concepts::MedianJob> many =
      mp::concepts::RunMedianJob(Engine::kProcesses, workload, workers, size, 3);
  if (!one.ok() || !many.ok() || one->checksum != many->checksum) return false;
  std::printf("%s\n   1 process: %.3f s   %d processes: %.3f s   speedup %.2fx\n\n", title.c_str(),
              one->wall_seconds, workers, many->wall_seconds, one->wall_seconds / many->wall_seconds);
  return true;
}

bool TinyTasks(int count) {
  std::vector<int64_t> inputs(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) inputs[i] = i;
  int64_t sum = 0;
  const absl::Time loop_start = absl::Now();
  for (int64_t x : inputs) sum += mp::scaling::Same(x);
  const absl::Duration loop = absl::Now() - loop_start;
  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = 2});
  if (!pool.ok()) return false;
  const absl::Time pool_start = absl::Now();
  absl::StatusOr<std::vector<int64_t>> same = pool->Map(mp::scaling::Same, inputs, {.chunksize = 1});
  const absl::Duration pooled = absl::Now() - pool_start;
  if (!same.ok()) return false;
  std::printf("3. %d tiny tasks (return the input), one per message:\n"
              "   a loop here: %.0f µs   a pool of 2 processes: %.0f µs   (%.0fx slower: %.1f µs a task)\n"
              "   Batching helps (chunksize; lesson 4), but work must outweigh its trip.\n\n",
              count, absl::ToDoubleMicroseconds(loop), absl::ToDoubleMicroseconds(pooled),
              absl::ToDoubleSeconds(pooled) / std::max(1e-9, absl::ToDoubleSeconds(loop)),
              absl::ToDoubleMicroseconds(pooled) / count);
  return sum >= 0;
}

bool Isolation() {
  std::fflush(stdout);
  mp::Process crasher([] {
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
  });
  if (!crasher.Start().ok() || !crasher.Join().ok()) return false;
  std::printf("4. A child process crashed (exit code %d, SIGSEGV). This process is still here.\n",
              crasher.exit_code().value_or(0));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Why multiprocessing: CPU-bound, blocking and tiny tasks, and isolation.");
  int workers = absl::GetFlag(FLAGS_workers);
  if (workers < 0 || workers > 256) mp::cli::ExitBadUsage("--workers must be 0 to 256");
  if (workers == 0) workers = std::max(2, mp::CpuCount());
  const bool quick = absl::GetFlag(FLAGS_quick);
  std::printf("This process may use %d CPUs; N = %d worker processes.\n\n", mp::CpuCount(), workers);
  std::fflush(stdout);

  mp::scaling::WorkSize size = mp::scaling::WorkSize::Scaled(quick ? 0.1 : 0.5, 0);
  size.wait_micros = 4'000;
  size.tasks = quick ? 48 : 240;
  const bool ok =
      CompareOneAndN(absl::StrCat("1. CPU-bound: count primes in ", size.tasks, " ranges"),
                     Workload::kCpu, workers, size) &&
      // Waiting needs no CPU: four times as many workers as cores still help.
      CompareOneAndN(absl::StrCat("2. Blocking: ", size.tasks,
                                  " tasks that each wait 4 ms, on 4x as many workers"),
                     Workload::kBlocking, std::min(4 * workers, 256), size) &&
      TinyTasks(quick ? 2'000 : 20'000) && Isolation();
  if (!ok) {
    std::fprintf(stderr, "an experiment failed\n");
    return 1;
  }
  return 0;
}
