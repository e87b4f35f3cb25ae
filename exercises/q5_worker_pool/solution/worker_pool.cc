// Reference solution for exercise Q5: a pool of N workers, closed and joined on every
// path.

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

// Python's pool.close(); pool.join(). Close() says no more work will come; Join() waits
// until the work already sent is done and every worker has exited on its own. (Destroying
// the pool instead would kill the workers, like Python's terminate().) Returns false,
// having said why, if the workers did not all finish.
bool CloseAndJoin(mp::Pool& pool) {
  pool.Close();
  const absl::Status joined = pool.Join();
  if (!joined.ok()) {
    std::fprintf(stderr, "joining the pool failed: %s\n", joined.ToString().c_str());
    return false;
  }
  std::printf("pool closed and joined\n");
  return true;
}

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
    // The error path closes and joins too: the other tasks' workers finish cleanly.
    std::fprintf(stderr, "a task failed: %s\n", squares.status().ToString().c_str());
    CloseAndJoin(*pool);
    return 1;
  }
  int64_t sum = 0;
  for (size_t i = 0; i < squares->size(); ++i) {
    std::printf("%" PRId64 " squared is %" PRId64 " (worker %" PRId64 ")\n", jobs[i].number,
                (*squares)[i].square, (*squares)[i].worker);
    sum += (*squares)[i].square;
  }
  std::printf("sum of squares: %" PRId64 "\n", sum);
  return CloseAndJoin(*pool) ? 0 : 1;
}
