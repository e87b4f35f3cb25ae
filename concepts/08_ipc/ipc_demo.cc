// Lesson 8: how do processes talk to each other?
//
//   bazel run -c opt //concepts/08_ipc:demo
//   bazel run -c opt //concepts/08_ipc:demo -- --round_trips=100000 --children=8
//
// Four experiments, one per mechanism: messages over a pipe, a counter in shared memory
// (with and without a lock), a queue with several producers, and a lock whose holder is
// killed. gRPC between processes is lesson 8's last claim; try it with
// `bazel run //ipc:task_service_server`.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/cli/parse_flags.h"
#include "ipc/event.h"
#include "ipc/lock.h"
#include "ipc/pipe.h"
#include "ipc/queue.h"
#include "ipc/shared_value.h"
#include "process/process.h"

ABSL_FLAG(int, round_trips, 20'000, "pipe and queue round trips to time (1 to 10000000)");
ABSL_FLAG(int, children, 4, "processes that share the counter and feed the queue (1 to 64)");
ABSL_FLAG(int, increments, 20'000, "increments of the shared counter per child (1 to 10000000)");
ABSL_FLAG(bool, quick, false, "fewer round trips and increments");

namespace {

constexpr absl::Duration kGenerous = absl::Seconds(60);

// Starts `count` forked children that wait for a starting signal, then all run `body()`
// at once; waits for them all. False if any failed to start or exited non-zero.
template <typename Body>
bool RunChildrenTogether(int count, Body body) {
  absl::StatusOr<mp::Event> go = mp::Event::Create();
  if (!go.ok()) return false;
  std::vector<mp::Process> children;
  for (int i = 0; i < count; ++i) {
    children.emplace_back([&] { return go->Wait(kGenerous).ok() ? body() : 1; });
  }
  bool all_ok = true;
  for (mp::Process& child : children) all_ok = child.Start().ok() && all_ok;
  go->Set();
  for (mp::Process& child : children) {
    all_ok = child.Join().ok() && child.exit_code() == 0 && all_ok;
  }
  return all_ok;
}

bool PipeExperiment(int round_trips) {
  std::printf("1. Pipe: whole messages, in order\n");
  absl::StatusOr<mp::PipeEnds> pipe = mp::Pipe();
  if (!pipe.ok()) return false;
  mp::Process child([&pipe, round_trips] {
    mp::Connection& end = pipe->second;
    for (size_t size : {size_t{5}, size_t{64 * 1024 + 1}, size_t{1} << 20}) {
      if (!end.Send(std::string(size, 'x')).ok()) return 1;
    }
    for (int i = 0; i < round_trips; ++i) {  // echo whatever comes
      absl::StatusOr<std::string> ping = end.Recv();
      if (!ping.ok() || !end.Send(*ping).ok()) return 1;
    }
    return 0;
  });
  if (!child.Start().ok()) return false;
  mp::Connection& end = pipe->first;
  std::printf("   the child sent 5 B, 64 KiB + 1 B and 1 MiB; we received:");
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::string> message = end.Recv();
    if (!message.ok()) return false;
    std::printf(" %zu B", message->size());
  }
  const absl::Time start = absl::Now();
  for (int i = 0; i < round_trips; ++i) {
    if (!end.Send("ping").ok() || !end.Recv().ok()) return false;
  }
  const double micros = absl::ToDoubleMicroseconds(absl::Now() - start) / round_trips;
  std::printf("\n   %d round trips (send, the child echoes): %.1f µs each\n\n", round_trips, micros);
  return child.Join().ok() && child.exit_code() == 0;
}

// Children add 1 to one counter `increments` times each, unlocked: read, then write.
// Returns how many updates were lost (another process wrote between a read and its
// write), or -1 if a child failed.
int64_t LostUnlockedUpdates(int children, int64_t increments) {
  absl::StatusOr<mp::RawSharedValue<int64_t>> unlocked = mp::RawSharedValue<int64_t>::Create(0);
  if (!unlocked.ok()) return -1;
  const bool ran = RunChildrenTogether(children, [&] {
    std::atomic_ref<int64_t> counter(**unlocked);
    for (int64_t i = 0; i < increments; ++i) {
      // Read, then write: another process may write in between, and its update is lost.
      counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    return 0;
  });
  return ran ? children * increments - **unlocked : -1;
}

bool SharedMemoryExperiment(int children, int increments) {
  std::printf("2. Shared memory: %d children each add 1 to one counter, %d times\n", children,
              increments);
  // A lost update needs two children running at the same moment; a short run on a busy
  // machine may not get that. Try longer runs until one shows it, a bounded number of times.
  constexpr int kTries = 6;
  int64_t each = increments;
  int64_t lost = 0;
  for (int attempt = 1; attempt <= kTries; ++attempt, each *= 4) {
    lost = LostUnlockedUpdates(children, each);
    if (lost < 0) return false;
    std::printf("   without a lock (load, then store), %lld each: %lld updates lost\n",
                static_cast<long long>(each), static_cast<long long>(lost));
    if (lost > 0) break;
  }
  if (lost == 0) {
    std::printf("   no update was lost in %d runs: the children never ran at the same moment\n"
                "   (one free CPU just now?). The race is still there: ipc_test shows it.\n",
                kTries);
  }
  absl::StatusOr<mp::SharedValue<int64_t>> locked = mp::SharedValue<int64_t>::Create(0);
  if (!locked.ok()) return false;
  const bool ran = RunChildrenTogether(children, [&] {
    for (int i = 0; i < increments; ++i) {
      if (!locked->Update([](int64_t& n) { ++n; }).ok()) return 1;
    }
    return 0;
  });
  absl::StatusOr<int64_t> locked_total = locked->Load();
  if (!ran || !locked_total.ok()) return false;
  const int64_t expected = int64_t{children} * increments;
  std::printf("   with Update() (under the value's lock), %d each: %lld of %lld\n\n", increments,
              static_cast<long long>(*locked_total), static_cast<long long>(expected));
  return *locked_total == expected;
}

bool QueueExperiment(int children, int round_trips) {
  constexpr int kItemsEach = 1000;
  std::printf("3. Queue: %d producers put %d numbers each; one consumer takes them\n", children,
              kItemsEach);
  absl::StatusOr<mp::Queue<int64_t>> queue = mp::Queue<int64_t>::Create();
  if (!queue.ok()) return false;
  std::vector<mp::Process> producers;
  for (int p = 0; p < children; ++p) {
    producers.emplace_back([&queue, p] {
      for (int i = 0; i < kItemsEach; ++i) {
        if (!queue->Put(int64_t{p} * kItemsEach + i, kGenerous).ok()) return 1;
      }
      return 0;
    });
  }
  for (mp::Process& producer : producers) {
    if (!producer.Start().ok()) return false;
  }
  std::set<int64_t> received;
  for (int i = 0; i < children * kItemsEach; ++i) {
    absl::StatusOr<int64_t> item = queue->Get(kGenerous);
    if (!item.ok()) return false;
    received.insert(*item);
  }
  for (mp::Process& producer : producers) {
    if (!producer.Join().ok()) return false;
  }
  std::printf("   received %zu distinct numbers of %d\n", received.size(), children * kItemsEach);

  // Round trips: a request queue there, a reply queue back.
  absl::StatusOr<mp::Queue<int64_t>> replies = mp::Queue<int64_t>::Create();
  if (!replies.ok()) return false;
  mp::Process echo([&] {
    for (int i = 0; i < round_trips; ++i) {
      absl::StatusOr<int64_t> item = queue->Get(kGenerous);
      if (!item.ok() || !replies->Put(*item, kGenerous).ok()) return 1;
    }
    return 0;
  });
  if (!echo.Start().ok()) return false;
  const absl::Time start = absl::Now();
  for (int i = 0; i < round_trips; ++i) {
    if (!queue->Put(i, kGenerous).ok() || !replies->Get(kGenerous).ok()) return false;
  }
  const double micros = absl::ToDoubleMicroseconds(absl::Now() - start) / round_trips;
  std::printf("   %d round trips over two queues (shared memory): %.1f µs each\n\n", round_trips,
              micros);
  return echo.Join().ok() && echo.exit_code() == 0 &&
         received.size() == static_cast<size_t>(children * kItemsEach);
}

bool LockExperiment() {
  std::printf("4. Lock: a child takes the lock and is killed while holding it\n");
  absl::StatusOr<mp::Lock> lock = mp::Lock::Create();
  absl::StatusOr<mp::Event> holding = mp::Event::Create();
  if (!lock.ok() || !holding.ok()) return false;
  mp::Process holder([&] {
    absl::StatusOr<mp::LockGuard> held = lock->Acquire();
    if (!held.ok()) return 1;
    holding->Set();
    while (true) pause();  // until killed
  });
  if (!holder.Start().ok() || !holding->Wait(kGenerous).ok()) return false;
  (void)holder.Kill();
  if (!holder.Join().ok()) return false;
  absl::StatusOr<mp::LockGuard> taken = lock->Acquire(kGenerous);
  if (!taken.ok()) return false;
  std::printf("   the parent's Acquire() succeeded; previous_owner_died() = %s\n",
              taken->previous_owner_died() ? "true" : "false");
  std::printf("   (Python's multiprocessing.Lock would stay locked forever)\n");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Pipes, shared memory, queues and locks between processes.");
  const bool quick = absl::GetFlag(FLAGS_quick);
  const int round_trips = quick ? 2'000 : absl::GetFlag(FLAGS_round_trips);
  const int children = absl::GetFlag(FLAGS_children);
  const int increments = quick ? 5'000 : absl::GetFlag(FLAGS_increments);
  if (round_trips < 1 || round_trips > 10'000'000) mp::cli::ExitBadUsage("--round_trips must be 1 to 10000000");
  if (children < 1 || children > 64) mp::cli::ExitBadUsage("--children must be 1 to 64");
  if (increments < 1 || increments > 10'000'000) mp::cli::ExitBadUsage("--increments must be 1 to 10000000");
  std::fflush(stdout);  // forked children must not inherit unprinted output

  const bool ok = PipeExperiment(round_trips) && SharedMemoryExperiment(children, increments) &&
                  QueueExperiment(children, round_trips) && LockExperiment();
  if (!ok) {
    std::fprintf(stderr, "an experiment failed\n");
    return 1;
  }
  return 0;
}
