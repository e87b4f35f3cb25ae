// The record of a program's pools and processes, for graders, pictures (pool/trace) and
// curious learners: when the environment variable MP_POOL_RECORD names a file, every
// pool in the program, every worker process and every mp::Process appends one line per
// event to it (see pool/README.md, "The pool's record"). It lives here, at the bottom
// layer, because a Process records its start and end too.
//
//   <pid> process pid=<child> method=<fork|spawn|forkserver>   a Process started a child
//   <pid> process_exit pid=<child> code=<c>        the Process saw its child's end (Join,
//                                                  exit_code), once; minus the signal

//   <pid> create pool=<id> engine=<processes|threads> workers=<n>
//   <pid> worker pool=<id> pid=<worker pid>        a worker was started (or replaced)
//   <worker pid> ran task=<name> first=<i> count=<n>  a worker ran a chunk of tasks
//   <pid> collected pool=<id> worker=<pid> first=<i> sent_us=<t> collected_us=<t>
//                                                  a chunk's round trip as the pool saw it:
//                                                  put in the worker's inbox, its answer filed
//   <pid> thread pool=<id> tid=<thread id>         a ThreadPool's thread started
//   <pid> thread_ran pool=<id> tid=<t> first=<i> count=<n>   a ThreadPool's thread ran a chunk
//                                                  (not "ran": that is work done in a
//                                                  worker process, which graders count)
//   <pid> wait pool=<id> tid=<thread> start_us=<t> [collecting=1] [timed_out=1]
//                                                  a thread waited for a job's results (Get,
//                                                  Wait, the end of a Map), recorded only
//                                                  if the results were not in already; with
//                                                  collecting=1 it collected them itself
//   <pid> host pool=<id> host_pid=<p> address=<a> workers=<n>   a RemotePool's host, as
//                                                  its first health check described it
//   <pid> remote_ran pool=<id> host_pid=<p> lane=<k> task=<name> first=<i> count=<n>
//             start_us=<t> status=<OK or gRPC code>   one call to a host: lane k of the
//                                                  workers + 1 the pool keeps in flight to it
//   <pid> host_lost pool=<id> host_pid=<p>         a host declared dead
//   <pid> close pool=<id>
//   <pid> join pool=<id> status=<OK or the error's code> tid=<t> start_us=<t>
//                                                  Join() returned; it was called at start_us
//   <pid> terminate pool=<id>
//   <pid> destroy pool=<id> without=join           destroyed before a successful Join()
//   <pid> exit pool=<id> pid=<worker pid> code=<c> [chunk_first=<i> retried=<0|1>]
//                                                  a worker ended before the pool closed:
//                                                  its exit code (minus the signal), and
//                                                  the chunk it was running, if any
//
// Every line ends with us=<microseconds>, the writer's CLOCK_MONOTONIC, which all the
// processes of a machine share; "ran", "thread_ran", "remote_ran" and "wait" lines
// also have start_us=, when the chunk (or the wait) began. A timeline (pool/trace) is drawn from these.
//
// <pid> is the process that wrote the line; <id> is "<creator pid>.<n>", the n-th pool
// that process created. Each line is one write() to a file opened with O_APPEND, so lines
// from many processes never mix. Without the variable nothing is written and a worker
// pays one branch per chunk. A pool's workers are Processes too: their process lines
// are there as well, and readers that count workers use the "worker" lines.
//
// The option form of the variable, for a program that decides for itself (a demo drawing
// its own run, a benchmark measuring what recording costs):
//
//   mp::RecordPools("/tmp/run.record");   // from now on
//   mp::RecordPools("");                  // off again

#ifndef MP_PROCESS_LIFE_RECORD_H_
#define MP_PROCESS_LIFE_RECORD_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mp {

// From now on, pools this process creates (and their workers) append their record to
// `path` (created if missing; not emptied); "" stops recording and closes the file, once
// no line is being written. Workers already running keep doing what they did when they
// started, and so does a fork server already running (its children are forked from it).
// It sets MP_POOL_RECORD too, so workers started with exec (spawn, a new fork server)
// find the same file: call it while no other thread reads the environment. An error if
// `path` cannot be opened for appending.
absl::Status RecordPools(const std::string& path);

}  // namespace mp

namespace mp::internal {

inline constexpr char kPoolRecordVariable[] = "MP_POOL_RECORD";

// Whether this process is recording: MP_POOL_RECORD named a file it could open (looked
// at once, on the first call), or RecordPools said so since.
bool PoolRecordEnabled();

// Appends "<pid> <event>\n" to the record, if enabled.
void RecordPoolEvent(absl::string_view event);

// CLOCK_MONOTONIC in microseconds: the record's clock.
int64_t PoolRecordMicros();

// The "join" line of pool `pool` (any engine): Join() began at `start_us`
// (PoolRecordMicros(), 0 if it was not taken) and ended now, with `joined`.
void RecordPoolJoin(absl::string_view pool, const absl::Status& joined, int64_t start_us);

// The "wait" line of pool `pool`: this thread waited for results from `start_us`
// (PoolRecordMicros()) until now; `collecting`: it collected them itself meanwhile.
void RecordPoolWait(absl::string_view pool, int64_t start_us, bool collecting, bool timed_out);

// A new pool's id, "<pid>.<n>".
std::string NewPoolRecordId();

// Reading a record back (graders, tests): one line.
struct PoolEvent {
  pid_t writer = 0;
  std::string what;                           // "create", "worker", "ran", "close", ...
  std::map<std::string, std::string> fields;  // "pool" -> "4211.1", "workers" -> "2", ...

  // The field's value, "" if the line has none.
  std::string Field(const std::string& name) const;
};

// The record's lines in the order written; lines that do not parse are skipped.
std::vector<PoolEvent> ParsePoolRecord(absl::string_view text);

}  // namespace mp::internal

#endif  // MP_PROCESS_LIFE_RECORD_H_
