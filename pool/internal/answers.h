// What the pool's manager does with one message from the results queue: a decision made
// from the message alone and what the pool knows of its sender, so that it is tested
// without processes (answers_test). PoolCore carries it out.
//
// A worker runs its chunks in the order it was sent them, so an answer must be for the
// first chunk it holds (its running chunk), with as many tasks. Anything else is never
// dropped silently, since a call would then wait forever: a readable answer that does
// not match fails the running chunk with DataLoss and stops its worker (what it sends
// next cannot be trusted to line up either); one whose sender cannot even be read breaks
// the pool, since any call may be waiting for it.

#ifndef MP_POOL_INTERNAL_ANSWERS_H_
#define MP_POOL_INTERNAL_ANSWERS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "pool/internal/wire.h"

namespace mp::internal {

// Tasks first_index .. first_index + count - 1 of a job.
struct ChunkId {
  uint64_t job_id = 0;
  uint64_t first_index = 0;
  uint64_t count = 0;
};

// What the pool knows of an answer's sender, by its pid.
struct Sender {
  bool known = false;        // one of the pool's workers now
  bool out_of_step = false;  // stopped already for an answer that did not match
  bool started = false;      // its start-up report came
  std::optional<ChunkId> running = std::nullopt;  // the first chunk it holds
};

struct Verdict {
  enum class Kind {
    kIgnore,       // a nudge; or from a worker gone or stopped; or nothing waits for it
    kStarted,      // a start-up report: the worker runs
    kCannotStart,  // a start-up report saying why the worker cannot run (`why`)
    kFile,         // the results of the sender's running chunk (`results`)
    kFailRunning,  // the sender's running chunk fails with `why`; stop the sender
    kBreakPool,    // unreadable: every call fails with `why`
  };
  Kind kind = Kind::kIgnore;
  int32_t worker_pid = 0;
  // kFile: each task error's message already says which task and worker
  // ("task 7 failed in worker 812: ..."). Its views point into the message.
  ResultMessage results = {};
  absl::Status why = absl::OkStatus();
};

Verdict JudgeAnswer(std::string_view message, absl::FunctionRef<Sender(int32_t pid)> sender_of);

}  // namespace mp::internal

#endif  // MP_POOL_INTERNAL_ANSWERS_H_
