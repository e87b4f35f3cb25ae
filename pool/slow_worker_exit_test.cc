// The pool's manager never holds its lock while it waits for a worker to exit or to start:
// callers of Map(), WorkerPids() and the rest need that lock to file results and send
// work. Here a worker that has run its quota (max_tasks_per_child) is slow to exit, and
// only the test can let it: if the manager waited for it under the lock, the test's
// WorkerPids() would block until the manager gave up and killed the worker.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "base/testing/status_matchers.h"
#include "base/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/testing/ipc_leak_check.h"
#include "pool/pool.h"
#include "pool/pool_task.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::testing::EndsWith;

constexpr char kCleanExit[] = "flushed at a clean exit";

// Fills the pipe `fd` to capacity, then leaves kCleanExit in a stdio buffer for it. A
// process exiting through the library flushes every stdio buffer first, so this
// worker's exit blocks until someone reads the pipe; the text arrives only if it was
// let finish, not killed.
int FillPipeThenExitSlowly(int fd) {
  const int capacity = fcntl(fd, F_GETPIPE_SZ);
  if (capacity <= 0) return -1;
  const std::string filler(static_cast<size_t>(capacity), 'x');
  if (write(fd, filler.data(), filler.size()) != capacity) return -1;
  FILE* buffered = fdopen(dup(fd), "w");
  if (buffered == nullptr) return -1;
  std::fputs(kCleanExit, buffered);  // stays in the buffer: the pipe is full
  return 0;
}
MP_POOL_TASK(FillPipeThenExitSlowly);

int Twice(int x) { return 2 * x; }
MP_POOL_TASK(Twice);

class SlowWorkerExitTest : public test::IpcLeakCheckedTest {};

TEST_F(SlowWorkerExitTest, AWorkerSlowToExitDoesNotHoldUpCallersOrGetKilled) {
  int ends[2];
  ASSERT_EQ(pipe(ends), 0);
  internal::UniqueFd read_end(ends[0]);
  internal::UniqueFd write_end(ends[1]);
  // Forked now, the one worker inherits the write end; its replacement, forked after
  // the test closed its own, does not, so the pipe ends once the first worker has exited.
  absl::StatusOr<Pool> pool = Pool::Create(
      {.workers = 1, .start_method = StartMethod::kFork, .max_tasks_per_child = 1});
  ASSERT_THAT(pool, IsOk());
  const int worker_fd = write_end.get();
  write_end.Reset();

  absl::StatusOr<AsyncResult<int>> filled = pool->ApplyAsync(FillPipeThenExitSlowly, worker_fd);
  ASSERT_THAT(filled, IsOk());
  ASSERT_THAT(filled->Get(), IsOk());
  // The worker has answered and run its quota: it is exiting, stuck in its last flush.
  // The manager has seen the answer (Get() returned), and retires the worker. This needs
  // the manager's lock, which it must not be holding while it waits for the worker.
  (void)pool->WorkerPids();

  // Only now may the worker finish exiting.
  std::string drained;
  char buffer[65536];
  ssize_t got;
  while ((got = read(read_end.get(), buffer, sizeof buffer)) > 0) drained.append(buffer, got);
  const std::string tail = drained.substr(drained.size() - std::min<size_t>(drained.size(), 64));
  EXPECT_THAT(tail, EndsWith(kCleanExit))
      << "the worker was killed before its exit finished: the manager waited for it, "
         "under its lock, until it gave up";

  // The replacement works.
  absl::StatusOr<AsyncResult<int>> after = pool->ApplyAsync(Twice, 21);
  ASSERT_THAT(after, IsOk());
  EXPECT_THAT(after->Get(), IsOkAndHolds(42));
  pool->Close();
  EXPECT_THAT(pool->Join(), IsOk());
}

}  // namespace
}  // namespace mp
