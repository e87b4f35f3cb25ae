// A pool's run as a picture: the pool's record (process/life_record.h, MP_POOL_RECORD) read
// back into a timeline, and written as Chrome trace events (which Perfetto and
// chrome://tracing open: one track per process) or as an SVG (one row per worker, a bar
// per chunk, deaths and retries marked), with nothing but a text editor or an image
// viewer needed.
//
//   MP_POOL_RECORD=/tmp/run.record ./my_program
//   bazel run //pool/trace:timeline_tool -- --record=/tmp/run.record --svg_out=/tmp/run.svg
//
// One record serves graders, learners and this picture: there is no second event log.

#ifndef MP_POOL_TRACE_TIMELINE_H_
#define MP_POOL_TRACE_TIMELINE_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "process/life_record.h"

namespace mp::trace {

struct ChunkRun {
  std::string task;
  uint64_t first = 0;
  uint64_t count = 0;
  int64_t start_us = 0;
  int64_t end_us = 0;
  // A process pool's chunk, as the parent saw it: when it went into the worker's inbox
  // and when its answer was filed (0 where the record does not say). In order:
  // sent_us <= start_us <= end_us <= collected_us, one clock for every process.
  int64_t sent_us = 0;
  int64_t collected_us = 0;
};

struct WorkerDeath {
  int64_t at_us = 0;
  int exit_code = 0;        // minus the signal number if a signal ended it
  bool mid_chunk = false;   // it was running a chunk
  uint64_t chunk_first = 0;
  bool retried = false;     // that chunk was sent again
};

struct WorkerTrack {
  pid_t pid = 0;
  pid_t tid = 0;           // a ThreadPool's thread: its thread id (pid is the process); 0 for a worker process
  // A RemotePool's host (pid: the host process's, on its machine): its address, and which
  // of the calls the pool keeps in flight to it this track is (tid = lane + 1).
  std::string host;
  int64_t started_us = 0;  // when the pool started it (0 if not in the record)
  std::vector<ChunkRun> chunks;
  std::vector<WorkerDeath> deaths;  // at most one: a dead worker's replacement has its own pid
  // A plain mp::Process (not a pool's worker): when it ended, as its parent saw it, and how.
  bool plain_process = false;
  int64_t ended_us = 0;  // 0 if the record does not say
  int exit_code = 0;     // minus the signal number if a signal ended it
};

struct PoolMark {
  std::string what;  // "create", "close", "join", "terminate"
  std::string pool;
  int64_t at_us = 0;
};

// A thread of the caller waiting for a job's results (Get, Wait, the end of a Map), or
// collecting them itself while it waits (a Map whose chunks all fit in the workers'
// inboxes at once), or waiting in the pool's Join().
struct CallerWait {
  pid_t pid = 0;
  pid_t tid = 0;
  int64_t start_us = 0;
  int64_t end_us = 0;
  bool collecting = false;
  bool timed_out = false;
  bool join = false;  // in Join(), waiting for the pool's workers to finish and leave
};

struct Timeline {
  pid_t parent = 0;                       // the process that created the (first) pool
  // By track id: a worker's pid, a thread's tid (unique among live tasks too), or for a
  // remote host's call lane, RemoteTrackId(host pid, lane).
  std::map<int64_t, WorkerTrack> workers;
  std::vector<PoolMark> marks;            // in the parent
  std::vector<CallerWait> waits;          // in the parent (or whichever process waited)
  int64_t begin_us = 0;                   // the earliest time in the record
  int64_t end_us = 0;                     // the latest
};

// The track id of lane `lane` of the remote host whose process is `host_pid`: above every
// local pid and tid, so the two never meet.
inline int64_t RemoteTrackId(int64_t host_pid, int lane) { return (int64_t{1} << 40) + host_pid * 4096 + lane; }

// The timeline of a record: every pool's workers, and every plain mp::Process the record
// names (its "process" lines; a pool's workers are drawn from the pool's lines instead).
// Lines without times (an older record) are left out. With
// `pool` (an id such as "4211.2"), only that pool's: its marks, and the workers its
// "worker" lines name, so one record of a program that made several pools gives a
// timeline for each.
Timeline FromPoolRecord(const std::vector<internal::PoolEvent>& events, const std::string& pool = "");

// The pools a record names, in the order they were created ("4211.1", "4211.2", ...).
std::vector<std::string> PoolIds(const std::vector<internal::PoolEvent>& events);

// The share of the workers' time, from the first chunk's start to the last chunk's end,
// that they spent idle after their own last chunk: what a chunksize too large for uneven
// tasks costs at the end of a job. 0 when every worker finished with the last chunk; near
// 1/2 with two workers when one ran alone for the whole job. Workers that died are left
// out (their replacements count); a worker that ran nothing counts as idle throughout.
double IdleAtTheEnd(const Timeline& timeline);

// Chrome's trace event format, JSON object form: {"traceEvents": [...],
// "displayTimeUnit": "ms"}. A chunk is a complete event ("ph": "X", "ts", "dur"), a
// worker's start, death and the pool's create/close/join are instant events ("ph": "i"),
// and each process is named by a metadata event ("ph": "M", "process_name"). A
// ThreadPool's threads are threads of the parent's track, each named ("thread_name"). A
// plain process's life, from Start() to the end its parent saw, is one complete event;
// so is each wait for results, on the waiting thread of the waiting process.
Json ChromeTrace(const Timeline& timeline);

// An SVG picture, `title` at the top: one row per worker in the order they started,
// chunks as bars (labelled with their first task; behind each, a grey line from when
// the parent sent it to when it filed the answer), a red cross where a worker died
// (with "retried" if its chunk was sent again), a plain process's life as a grey bar
// with its exit code, the caller's waits for results as orange bars on a row of their
// own, and a time axis in milliseconds. The axis
// fits the timeline, or is `axis_us` long if that is longer: pictures meant to be
// compared side by side share one scale.
std::string Svg(const Timeline& timeline, const std::string& title, int64_t axis_us = 0);

}  // namespace mp::trace

#endif  // MP_POOL_TRACE_TIMELINE_H_
