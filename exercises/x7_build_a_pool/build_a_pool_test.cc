// The grader for exercise X7 (run as `build_a_pool_test <program> <pass|fail>`; see
// exercises/grading/grading.h).
//
// It runs the program with --workers=3 --tasks=12 and X7_GRADER_DIR set, so that every
// Work(x) call records which process runs it and waits at a gate the grader holds
// (work.h). Then, never trusting a clock:
// 1. it waits until 3 tasks run at once, in 3 distinct children of the program; if
//    everything stops first (every process blocked for good, with nothing left that
//    could wake it but the grader: proc_view.h's StallDetector), fewer ran at once than
//    the pool has workers;
// 2. it kills (SIGKILL) the worker running the lowest of those inputs, and waits until
//    3 run at once again, one of them in a new worker; everything stopping first means
//    the dead worker was not replaced, or its death not noticed;
// 3. it opens the gate and lets the program finish: every result in order, the killed
//    task failed, "done", exit 0, no worker left running or unreaped, and no more
//    processes than the 3 workers and one replacement.

#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "exercises/grading/gated_tasks.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/hang_report.h"
#include "exercises/grading/proc_view.h"
#include "gtest/gtest.h"
#include "process/testing/leak_check.h"
#include "process/testing/spawned_program.h"

namespace {

constexpr absl::Duration kTimeout = absl::Seconds(60);
constexpr int kWorkers = 3;
constexpr int kTasks = 12;

using mp::grading::Alive;
using mp::grading::TaskCalls;


std::string Inputs(const std::map<int, pid_t>& running) {
  std::vector<std::string> named;
  for (const auto& [x, pid] : running) named.push_back(absl::StrCat(x, " (pid ", pid, ")"));
  return named.empty() ? "none" : absl::StrJoin(named, ", ");
}

std::string ExpectedOutput(int killed_task) {
  std::string text;
  for (int x = 1; x <= kTasks; ++x) {
    absl::StrAppend(&text, "task ", x, ": ", x == killed_task ? "failed" : absl::StrCat(x * x), "\n");
  }
  return text + "done\n";
}

// The program's output with whatever follows "failed" on the killed task's line cut,
// so that it compares with ExpectedOutput (the reason is the learner's to word).
std::string WithoutFailureReason(const std::string& output, int killed_task) {
  const std::string prefix = absl::StrCat("task ", killed_task, ": failed");
  std::string result;
  for (const std::string& line : mp::grading::Lines(output)) {
    absl::StrAppend(&result, line.rfind(prefix, 0) == 0 ? prefix : line, "\n");
  }
  return result;
}

// Why fewer than kWorkers ran once the grader had killed one worker, and everything stopped.
std::string AfterTheKill(pid_t program, const std::set<pid_t>& first_wave, pid_t killed_worker,
                         int killed_task, const std::map<int, pid_t>& running) {
  std::vector<pid_t> new_workers;
  for (pid_t child : mp::grading::LiveTree(program)) {
    if (child != program && !first_wave.count(child)) new_workers.push_back(child);
  }
  const std::string what = absl::StrCat(
      "After the grader killed worker ", killed_worker, " while it ran input ", killed_task,
      ", only ", running.size(), " task(s) ran at once (inputs ", Inputs(running),
      "), and then everything stopped: ");
  if (mp::grading::ChildWaitedFor(program)) {
    return absl::StrCat(
        what, "your program was waiting for its workers to exit, so it had stopped handing "
        "out inputs when the worker died. A dead worker fails only its own task: replace it "
        "and go on with the rest (HINTS.md, hint 4).");
  }
  if (new_workers.empty()) {
    return absl::StrCat(
        what, "the pool did not start a new worker in its place. A dead worker's results "
        "pipe reads end of file once no process holds its write end (your program must close "
        "its own copy right after the fork): then collect it with waitpid(), mark its task "
        "failed, and fork a replacement (HINTS.md, hint 4).");
  }
  return absl::StrCat(
      what, "it started a new worker (pid ", new_workers.front(), ") but gave it no input. "
      "A dead worker fails only its own task: hand the remaining inputs out as before "
      "(HINTS.md, hint 4).");
}

enum class Phase { kFirstWave, kAfterTheKill, kGateOpen };

std::vector<std::string> GradeOneRun() {
  const std::string dir = mp::grading::MakeGraderDirectory("x7");
  if (dir.empty()) return {"The grader could not make its directory (TEST_TMPDIR)."};
  mp::grading::Gate gate(dir);
  setenv("X7_GRADER_DIR", dir.c_str(), 1);
  absl::StatusOr<mp::test::SpawnedProgram> program = mp::test::SpawnedProgram::Start(
      mp::grading::Program(),
      {absl::StrCat("--workers=", kWorkers), absl::StrCat("--tasks=", kTasks)},
      /*new_session=*/true);
  unsetenv("X7_GRADER_DIR");
  if (!program.ok()) return {absl::StrCat("The program did not start: ", program.status().ToString())};
  const pid_t pid = program->pid();

  std::vector<std::string> problems;
  std::string output;
  Phase phase = Phase::kFirstWave;
  std::set<pid_t> first_wave;
  int killed_task = 0;
  pid_t killed_worker = 0;
  bool exited = false;
  mp::grading::StallDetector stalls;
  const absl::Duration timeout = mp::grading::WithinTestTimeout(kTimeout);
  const absl::Time deadline = absl::Now() + timeout;
  while (problems.empty()) {
    if (absl::Now() > deadline) {
      problems.push_back(absl::StrCat("The run did not end: ", mp::grading::StillRunning(pid, timeout)));
      break;
    }
    mp::grading::ReadALineInto(*program, output, absl::Milliseconds(5));
    if (!Alive(pid)) {
      exited = true;
      break;
    }
    // Whether everything has stopped, judged before the calls are read: a stop lasts, so
    // the calls read after it are the ones it stopped with.
    const bool stuck = stalls.Stalled(mp::grading::LiveTree(pid));
    const TaskCalls calls = mp::grading::ReadTaskCalls(dir, kTasks);
    const std::map<int, pid_t> running = mp::grading::RunningTasks(calls);
    for (const auto& [x, worker] : running) {
      if (worker == pid) {
        problems.push_back(absl::StrCat(
            "Your program ran Work(", x, ") itself. The work belongs in the worker processes: "
            "the parent only hands out inputs and collects results (HINTS.md, hint 1)."));
      }
    }
    if (running.size() > kWorkers) {
      problems.push_back(absl::StrCat("With --workers=", kWorkers, ", ", running.size(),
                                      " tasks ran at once: inputs ", Inputs(running),
                                      ". A pool of N runs at most N at a time (HINTS.md, hint 1)."));
    }
    if (!problems.empty()) break;
    if (phase == Phase::kGateOpen) {
      if (stuck) {
        problems.push_back(absl::StrCat(
            "Your program stopped making progress: it and its workers were all blocked, with "
            "nothing left for anyone to do. ", mp::grading::DescribeHang(pid)));
      }
      continue;
    }
    if (running.size() == kWorkers && phase == Phase::kFirstWave) {
      // 3 at once: kill the worker running the lowest input, mid-task.
      for (const auto& [x, worker] : running) first_wave.insert(worker);
      killed_task = running.begin()->first;
      killed_worker = running.begin()->second;
      // Until it has ended it would still count as running: three "running" then would open
      // the gate before any replacement ran (seen once in 15 runs under load, a wrong
      // answer passing).
      mp::grading::KillAndWaitUntilEnded(killed_worker);
      phase = Phase::kAfterTheKill;
      continue;
    }
    if (running.size() == kWorkers && phase == Phase::kAfterTheKill) {
      gate.Open();  // 3 at once again: let everything run to the end
      phase = Phase::kGateOpen;
      continue;
    }
    if (!stuck) continue;
    if (phase == Phase::kFirstWave) {
      problems.push_back(absl::StrCat(
          "With --workers=", kWorkers, ", your program ran at most ", running.size(),
          " task(s) at a time: it and its workers were all blocked with only these inputs "
          "started and not finished: ", Inputs(running), ". Start all the workers first, "
          "give each one an input, and only then wait for results, from whichever worker "
          "answers first (poll(), HINTS.md, hint 3)."));
    } else {
      problems.push_back(AfterTheKill(pid, first_wave, killed_worker, killed_task, running));
    }
  }
  gate.Open();  // if it is still shut

  // Workers left running or unreaped once the program has exited.
  const TaskCalls calls = mp::grading::ReadTaskCalls(dir, kTasks);
  std::set<pid_t> workers;
  for (const auto& [x, worker] : calls.started) workers.insert(worker);
  if (exited && problems.empty()) {
    for (pid_t worker : workers) {
      const std::optional<char> state = mp::test::ProcessState(worker);
      if (!state || worker == pid) continue;
      problems.push_back(absl::StrCat(
          "Your program exited and left worker ", worker,
          *state == 'Z' ? " unreaped (a zombie)" : " still running",
          ". Close each worker's tasks pipe so that it reads end of file and exits, then "
          "waitpid() for every one, the replacements too (HINTS.md, hint 5)."));
    }
    if (workers.size() > kWorkers + 1) {
      problems.push_back(absl::StrCat(
          "Your program ran the ", kTasks, " tasks in ", workers.size(), " processes; a pool "
          "of ", kWorkers, " keeps its workers and gives each many tasks, so there should be ",
          kWorkers, ", and one more for the worker the grader killed. Fork the workers once, "
          "and send each its next input through its pipe (HINTS.md, hint 2)."));
    }
  }
  kill(-pid, SIGKILL);  // whatever is left of the program's process group
  absl::StatusOr<int> exit_code = program->Wait(absl::Seconds(30));
  if (problems.empty()) {
    absl::StatusOr<std::string> rest = program->ReadAll(absl::Seconds(30));
    if (rest.ok()) output += *rest;
    if (WithoutFailureReason(output, killed_task) != ExpectedOutput(killed_task)) {
      problems.push_back(absl::StrCat(
          mp::grading::ExpectedButSaw(ExpectedOutput(killed_task), output),
          "\nOne line per input in input order, Work(x) for each, but \"task ", killed_task,
          ": failed\" (and why, if you like) for the input whose worker the grader killed, "
          "and \"done\" after all of them: a dead worker fails only its own task (HINTS.md, "
          "hint 4)."));
    }
    if (!exit_code.ok() || *exit_code != 0) {
      problems.push_back("The program should exit 0 once every task has a result or a failure.");
    }
  }
  mp::grading::ReapOrphans();
  return problems;
}

// Pass criterion: see the file comment.
TEST(BuildAPoolGrade, WorkersRunAtOnceSurviveAKillAndAreReaped) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  mp::grading::Report(GradeOneRun());
}

}  // namespace
