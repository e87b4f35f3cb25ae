#include "exercises/grading/pool_record.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "process/life_record.h"

namespace mp::grading {

PoolRecording::PoolRecording() {
  static int recordings = 0;
  const char* dir = getenv("TEST_TMPDIR");
  path_ = absl::StrCat(dir != nullptr ? dir : "/tmp", "/pool_record_", getpid(), "_",
                       ++recordings, ".txt");
  std::ofstream(path_, std::ios::trunc);  // empty, and there even if no pool writes
  setenv(internal::kPoolRecordVariable, path_.c_str(), 1);
}

PoolRecording::~PoolRecording() {
  unsetenv(internal::kPoolRecordVariable);
  unlink(path_.c_str());
}

PoolLife PoolRecording::Life() const {
  std::ifstream file(path_);
  std::stringstream text;
  text << file.rdbuf();
  PoolLife life;
  auto pool_named = [&](const std::string& id) -> RecordedPool* {
    for (RecordedPool& pool : life.pools) {
      if (pool.id == id) return &pool;
    }
    return nullptr;
  };
  for (const internal::PoolEvent& event : internal::ParsePoolRecord(text.str())) {
    if (event.what == "create") {
      RecordedPool pool;
      pool.id = event.Field("pool");
      pool.threads = event.Field("engine") == "threads";
      (void)absl::SimpleAtoi(event.Field("workers"), &pool.workers);
      life.pools.push_back(pool);
      continue;
    }
    if (event.what == "ran") {
      long count = 0;
      (void)absl::SimpleAtoi(event.Field("count"), &count);
      life.tasks_run_by_workers += count;
      life.workers_that_ran_tasks.insert(event.writer);
      continue;
    }
    RecordedPool* pool = pool_named(event.Field("pool"));
    if (pool == nullptr) continue;
    if (event.what == "worker") ++pool->workers_started;
    if (event.what == "close") pool->closed = true;
    if (event.what == "terminate") pool->terminated = true;
    if (event.what == "destroy") pool->destroyed_without_join = true;
    if (event.what == "join" && event.Field("status") == "OK") pool->joined = true;
    if (event.what == "join" && event.Field("status") != "OK") {
      pool->join_errors.push_back(event.Field("status"));
    }
  }
  return life;
}

std::vector<std::string> ProblemsWithThePool(const PoolLife& life, int workers,
                                             const std::string& where, const std::string& hint) {
  if (life.pools.empty()) {
    return {absl::StrCat("Your program created no mp::Pool", where, ", so no worker process did "
                         "the work: whatever it printed was computed (or written out) by the "
                         "program itself. Create the pool with mp::Pool::Create and hand it the "
                         "work (", hint, ").")};
  }
  std::vector<std::string> problems;
  // The first pool of processes, if any (X6 makes a ThreadPool first, then an mp::Pool).
  const RecordedPool* first_process_pool = &life.pools.front();
  for (const RecordedPool& each : life.pools) {
    if (!each.threads) {
      first_process_pool = &each;
      break;
    }
  }
  const RecordedPool& pool = *first_process_pool;
  if (pool.threads) {
    problems.push_back(absl::StrCat(
        "Your program used a ThreadPool", where, ": its workers are threads of your own "
        "process, not processes. Use mp::Pool (", hint, ")."));
  } else if (pool.workers != workers) {
    problems.push_back(absl::StrCat("Your pool was created with ", pool.workers,
                                    pool.workers == 1 ? " worker" : " workers", where,
                                    "; it should have ", workers, " (", hint, ")."));
  }
  if (!pool.threads && life.tasks_run_by_workers == 0) {
    problems.push_back(absl::StrCat(
        "Your pool's workers ran no task", where, ": the answer was not computed by the pool. "
        "Hand the work to the pool (Map) and print what it returns (", hint, ")."));
  }
  return problems;
}

}  // namespace mp::grading
