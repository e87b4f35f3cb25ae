// Exercise Q5: a pool of N worker processes, closed and joined on every path.
//
// Goal (see README.md): square 1..--tasks on --workers processes, print each result with
// the worker that computed it and the sum, and close and join the pool, then print
// "pool closed and joined", on the error path (--fail_task) as well as the happy one.
//
// Run it:    ./bazelw run //exercises/q5_worker_pool -- --workers=4 --tasks=20
// Grade it:  ./bazelw test //exercises/q5_worker_pool:grade

#include <unistd.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/cli/parse_flags.h"
#include "pool/pool.h"
#include "pool/pool_task.h"
#include "process/hand_off.h"

ABSL_FLAG(int, workers, 4, "worker processes (1 to 64)");
ABSL_FLAG(int, tasks, 20, "square the numbers 1 to this (1 to 100000)");
ABSL_FLAG(int, fail_task, 0, "this number's task fails on purpose (0: none)");

struct Job {
  int64_t number = 0;
  bool fail = false;
};
struct Squared {
  int64_t square = 0;
  int64_t worker = 0;  // the pid of the process that computed it
};

absl::StatusOr<Squared> Square(Job job) {
  if (job.fail) return absl::InternalError("failing on purpose (--fail_task)");
  return Squared{job.number * job.number, getpid()};
}
MP_POOL_TASK(Square);

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  mp::cli::ParseFlags(argc, argv, "Squares numbers on a pool of worker processes.");
  const int workers = absl::GetFlag(FLAGS_workers);
  const int tasks = absl::GetFlag(FLAGS_tasks);
  if (workers < 1 || workers > 64) mp::cli::ExitBadUsage("--workers must be 1 to 64");
  if (tasks < 1 || tasks > 100000) mp::cli::ExitBadUsage("--tasks must be 1 to 100000");
  const int fail_task = absl::GetFlag(FLAGS_fail_task);
  if (fail_task < 0 || fail_task > tasks) mp::cli::ExitBadUsage("--fail_task must be 0 (none) to --tasks");

  std::vector<Job> jobs;
  for (int number = 1; number <= tasks; ++number) {
    jobs.push_back({number, number == absl::GetFlag(FLAGS_fail_task)});
  }

  absl::StatusOr<mp::Pool> pool = mp::Pool::Create({.workers = workers});
  if (!pool.ok()) {
    std::fprintf(stderr, "cannot start the pool: %s\n", pool.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<std::vector<Squared>> squares = pool->Map(Square, jobs);
  if (!squares.ok()) {
    std::fprintf(stderr, "a task failed: %s\n", squares.status().ToString().c_str());
    // TODO(student): this path leaves without closing and joining the pool. Close it,
    // join it, and print "pool closed and joined" here too, then return 1.
    return 1;
  }
  int64_t sum = 0;
  for (size_t i = 0; i < squares->size(); ++i) {
    std::printf("%" PRId64 " squared is %" PRId64 " (worker %" PRId64 ")\n", jobs[i].number,
                (*squares)[i].square, (*squares)[i].worker);
    sum += (*squares)[i].square;
  }
  std::printf("sum of squares: %" PRId64 "\n", sum);

  // TODO(student): close the pool (no more work), join it (wait for the workers to
  // exit), check Join's status, and only then print "pool closed and joined".
  return 0;
}
