// Grading a program by its pools' own record of what they did (pool/README.md, "The
// pool's record"), not by what it printed: printing "pool closed and joined", or the
// doubled list, proves nothing; the record says whether a pool was made, whose
// processes ran the tasks, and how it ended.
//
//   mp::grading::PoolRecording recording;   // programs run from now on are recorded
//   ... RunWithPipes(Program(), ...) ...
//   mp::grading::PoolLife life = recording.Life();

#ifndef MP_EXERCISES_GRADING_POOL_RECORD_H_
#define MP_EXERCISES_GRADING_POOL_RECORD_H_

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

namespace mp::grading {

// One pool of the program, as its record tells it.
struct RecordedPool {
  std::string id;
  bool threads = false;  // a ThreadPool, not worker processes
  int workers = 0;       // as created
  int workers_started = 0;  // the first ones and every replacement
  bool closed = false;
  bool terminated = false;
  bool joined = false;                // a Join() returned OK
  std::vector<std::string> join_errors;  // the codes of Join() calls that failed
  bool destroyed_without_join = false;
};

struct PoolLife {
  std::vector<RecordedPool> pools;  // in the order created
  long tasks_run_by_workers = 0;    // tasks that worker processes ran ("ran" lines)
  std::set<pid_t> workers_that_ran_tasks;
};

// While it exists, MP_POOL_RECORD names a fresh file in the test's temporary folder, so
// every program the grader runs records its pools there. One at a time.
class PoolRecording {
 public:
  PoolRecording();
  ~PoolRecording();
  PoolRecording(const PoolRecording&) = delete;
  PoolRecording& operator=(const PoolRecording&) = delete;

  // What the programs run so far recorded.
  PoolLife Life() const;

 private:
  std::string path_;
};

// The problems, as sentences for a learner, if the program did not do its work on an
// mp::Pool of `workers` worker processes (its first one, if it made several) (`where` says with which flags, e.g. " (with
// --workers=2)"): no pool at all, a ThreadPool, another number of workers, or no task
// run by a worker (the answer printed without the pool computing it). `hint` names the
// hint to read.
std::vector<std::string> ProblemsWithThePool(const PoolLife& life, int workers,
                                             const std::string& where, const std::string& hint);

}  // namespace mp::grading

#endif  // MP_EXERCISES_GRADING_POOL_RECORD_H_
