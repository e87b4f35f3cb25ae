// Lesson 10's window into its worker hosts: a ledger in shared memory that tasks write
// to whichever host runs them. A remote pool hands back results, not how many times each
// task ran; the ledger counts the runs, so the lesson can show at-least-once happening.
//
//   absl::StatusOr<Ledger> ledger = Ledger::Create(60, Ledger::Gate::kOpen);
//   pool->ImapUnordered(RecordedDouble, ledger->Tickets(/*millis=*/20), {.chunksize = 1});
//   absl::StatusOr<std::vector<Ledger::Run>> runs = ledger->Runs();  // runs[i].count
//
// Hosts on other machines could not share memory with you: this works because the
// lesson's hosts all run on this one, which is what lets it look inside them.

#ifndef MP_CONCEPTS_10_GOING_DISTRIBUTED_LEDGER_H_
#define MP_CONCEPTS_10_GOING_DISTRIBUTED_LEDGER_H_

#include <sys/types.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ipc/event.h"
#include "ipc/semaphore.h"
#include "ipc/shared_array.h"

namespace mp::concepts {

// One task's argument: its number, how long it works, and where the ledger is. Only
// numbers and fixed-size arrays, so its bytes are its value and it crosses as it is.
struct Ticket {
  int64_t task = 0;
  int64_t millis = 0;
  char runs[64] = {};     // the SharedArray<Ledger::Run>
  char started[64] = {};  // the Semaphore released at each start
  char gate[64] = {};     // the Event a task waits for before it works
};

class Ledger {
 public:
  struct Run {
    int32_t count = 0;       // times the task started
    pid_t worker_pid = 0;    // the worker process that started it last
  };
  // kClosed: every task, once it has written down its run, waits until OpenGate().
  enum class Gate { kOpen, kClosed };

  static absl::StatusOr<Ledger> Create(int tasks, Gate gate);

  // The arguments of tasks 0 .. tasks - 1, each working `millis` milliseconds.
  std::vector<Ticket> Tickets(int64_t millis) const;

  // Each task's runs so far.
  absl::StatusOr<std::vector<Run>> Runs() const { return runs_.Load(); }

  // Returns when one more task has started (one start per call; DeadlineExceeded after
  // `timeout`).
  absl::Status AwaitAStart(absl::Duration timeout) { return started_.Acquire(timeout); }

  void OpenGate() { gate_.Set(); }

 private:
  Ledger(SharedArray<Run> runs, Semaphore started, Event gate, const Ticket& blank)
      : runs_(std::move(runs)), started_(std::move(started)), gate_(std::move(gate)),
        blank_(blank) {}

  SharedArray<Run> runs_;
  Semaphore started_;
  Event gate_;
  Ticket blank_;  // every ticket's names, filled in once
};

// The lesson's pool task: writes down its run in the ticket's ledger, waits at its gate,
// works `millis` milliseconds, and returns 2 * task. An error if the ledger is not
// there (a host on another machine, say).
absl::StatusOr<int64_t> RecordedDouble(Ticket ticket);

}  // namespace mp::concepts

#endif  // MP_CONCEPTS_10_GOING_DISTRIBUTED_LEDGER_H_
