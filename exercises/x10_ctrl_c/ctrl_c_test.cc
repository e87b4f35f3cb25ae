// The grader for exercise X10 (run as `ctrl_c_test <program> <pass|fail>`; see
// exercises/grading/grading.h).
//
// Trace by trace, as CMU's shell lab grades: it runs the runner in a process group of its
// own (as a terminal's foreground job), with every task recording its pid and waiting at
// a gate the grader holds (task_gate.h), sends a signal at a chosen moment, and checks the
// exit status and what was left behind:
//   1. no signal: every result in order, "done", exit 0;
//   2. Ctrl-C (SIGINT to the whole group) while two tasks run, then the gate opens: the
//      runner says "stopping (SIGINT)", the two finish, no new task starts, exit 130;
//   3. SIGTERM to the runner alone while two tasks run, gate kept shut, --grace_ms=200:
//      the runner says "stopping (SIGTERM)", kills the two when the grace runs out,
//      exit 143.
// Each time: every child collected, the scratch directory removed. Nothing is judged by
// how long it took, except that a runner still running long after its grace period has
// ended is reported, with what each process was blocked in.

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "exercises/grading/gated_tasks.h"
#include "exercises/grading/grading.h"
#include "exercises/grading/hang_report.h"
#include "gtest/gtest.h"
#include "process/testing/leak_check.h"
#include "process/testing/spawned_program.h"

namespace {

using mp::grading::TaskCalls;

constexpr absl::Duration kTimeout = absl::Seconds(30);
constexpr int kTasks = 8;
constexpr int kWorkers = 2;

std::string Tasks(const std::map<int, pid_t>& tasks) {
  std::vector<std::string> named;
  for (const auto& [task, pid] : tasks) named.push_back(absl::StrCat(task));
  return absl::StrJoin(named, ", ");
}

// One run of the runner under the grader's eye.
class Trace {
 public:
  Trace(std::string name, bool gate_shut)
      : name_(std::move(name)),
        dir_(mp::grading::MakeGraderDirectory("x10")),
        scratch_base_(dir_ + "/scratch"),
        gate_(dir_) {
    std::filesystem::create_directory(scratch_base_);
    if (!gate_shut) gate_.Open();
  }

  bool Start(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {absl::StrCat("--workers=", kWorkers),
                                     absl::StrCat("--tasks=", kTasks),
                                     absl::StrCat("--scratch_in=", scratch_base_)};
    args.insert(args.end(), flags.begin(), flags.end());
    setenv("X10_GRADER_DIR", dir_.c_str(), 1);
    absl::StatusOr<mp::test::SpawnedProgram> program =
        mp::test::SpawnedProgram::Start(mp::grading::Program(), args, /*new_session=*/true);
    unsetenv("X10_GRADER_DIR");
    if (!program.ok()) {
      Problem(absl::StrCat("the runner did not start: ", program.status().ToString()));
      return false;
    }
    program_.emplace(std::move(*program));
    return true;
  }

  pid_t pid() const { return program_->pid(); }
  const std::vector<std::string>& problems() const { return problems_; }
  void Problem(const std::string& text) { problems_.push_back(absl::StrCat("[", name_, "] ", text)); }

  // Waits until `count` tasks run at once; returns them (empty, with a problem, if not).
  std::map<int, pid_t> WaitForRunningTasks(int count) {
    const absl::Time deadline = absl::Now() + mp::grading::WithinTestTimeout(kTimeout);
    while (absl::Now() < deadline) {
      Drain(absl::Milliseconds(5));
      std::map<int, pid_t> running = mp::grading::RunningTasks(Calls());
      if (static_cast<int>(running.size()) >= count) return running;
      if (Exited()) break;
    }
    Problem(absl::StrCat("the runner never had ", count, " tasks running at once (with --workers=",
                         kWorkers, "). ", Exited() ? "It had exited." : mp::grading::DescribeHang(pid())));
    return {};
  }

  // Reads output until a line starting with `prefix`; false (the runner exited first, or
  // it never came) with a problem.
  bool WaitForLine(const std::string& prefix, const std::string& why) {
    const absl::Time deadline = absl::Now() + mp::grading::WithinTestTimeout(kTimeout);
    while (absl::Now() < deadline) {
      for (const std::string& line : mp::grading::Lines(output_)) {
        if (absl::StartsWith(line, prefix)) return true;
      }
      if (Exited() && !Drain(absl::Milliseconds(5))) {
        Problem(absl::StrCat("the runner ended without printing \"", prefix, "\"", why, "."));
        return false;
      }
      Drain(absl::Milliseconds(5));
    }
    Problem(absl::StrCat("the runner never printed \"", prefix, "\"", why, ". ",
                         mp::grading::DescribeHang(pid())));
    return false;
  }

  // Waits for the runner to end; its exit code, or nullopt (with a problem) if it still
  // runs after `timeout`.
  std::optional<int> WaitForExit(absl::Duration timeout, const std::string& why_it_should_end) {
    const absl::Time deadline = absl::Now() + mp::grading::WithinTestTimeout(timeout);
    while (!Exited()) {
      if (absl::Now() > deadline) {
        Problem(absl::StrCat("the runner was still running ",
                             absl::FormatDuration(absl::Trunc(mp::grading::WithinTestTimeout(timeout), absl::Seconds(1))),
                             " later",
                             why_it_should_end, ". ", mp::grading::DescribeHang(pid())));
        return std::nullopt;
      }
      Drain(absl::Milliseconds(5));
    }
    // Tasks the runner left still hold its stdout: read what has come, no more.
    while (Drain(absl::Milliseconds(50))) {
    }
    CheckNothingLeft();
    kill(-pid(), SIGKILL);
    gate_.Open();
    absl::StatusOr<int> exit_code = program_->Wait(absl::Seconds(30));
    mp::grading::ReapOrphans();
    if (!exit_code.ok()) return std::nullopt;
    return *exit_code;
  }

  // Kills whatever is left (after a problem) and collects it.
  void Abandon() {
    if (!program_) return;
    kill(-pid(), SIGKILL);
    gate_.Open();
    (void)program_->Wait(absl::Seconds(30));
    mp::grading::ReapOrphans();
    program_.reset();
  }
  ~Trace() { Abandon(); }

  TaskCalls Calls() const { return mp::grading::ReadTaskCalls(dir_, kTasks); }
  const std::string& output() const { return output_; }
  void OpenGate() { gate_.Open(); }

  void CheckExitCode(const std::optional<int>& exit_code, int expected, const std::string& why) {
    if (!exit_code || *exit_code == expected) return;
    if (*exit_code < 0) {
      Problem(absl::StrCat(
          "the runner was killed by signal ", -*exit_code, " (", strsignal(-*exit_code),
          ") instead of handling it: take SIGINT and SIGTERM yourself, by blocking them and "
          "waiting for them with sigwaitinfo(), or with a handler (HINTS.md, hint 1)."));
      return;
    }
    Problem(absl::StrCat("the runner exited with status ", *exit_code, "; expected ", expected, why,
                         " (HINTS.md, hint 5)."));
  }

  void CheckOutput(const std::string& expected) {
    if (output_ == expected) return;
    Problem(absl::StrCat(mp::grading::ExpectedButSaw(expected, output_),
                         "\nThe results of the tasks that finished, in order, then the last line "
                         "(HINTS.md, hint 5)."));
  }

 private:
  bool Exited() const { return !mp::grading::Alive(pid()); }

  // Appends a line of output if one comes within `wait`; false if none did.
  bool Drain(absl::Duration wait) { return mp::grading::ReadALineInto(*program_, output_, wait); }

  // Once the runner has exited: no task process left, running or unreaped, and no
  // scratch directory.
  void CheckNothingLeft() {
    for (const auto& [task, worker] : Calls().started) {
      const std::optional<char> state = mp::test::ProcessState(worker);
      if (!state) continue;
      Problem(absl::StrCat(
          "the runner exited and left the process of task ", task, " (pid ", worker, ") ",
          *state == 'Z' ? "unreaped (a zombie)" : "still running",
          ". Collect every child with waitpid() before exiting, the ones you killed too "
          "(HINTS.md, hint 4)."));
    }
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(scratch_base_, error)) {
      Problem(absl::StrCat("the runner's scratch directory ", entry.path().string(),
                           " was left behind: remove what you made, on every way out "
                           "(HINTS.md, hint 4)."));
    }
  }

  std::string name_;
  std::string dir_;
  std::string scratch_base_;
  mp::grading::Gate gate_;
  std::optional<mp::test::SpawnedProgram> program_;
  std::string output_;
  std::vector<std::string> problems_;
};

std::string FirstLine(const std::string& text) {
  const std::vector<std::string> lines = mp::grading::Lines(text);
  return lines.empty() ? "" : lines.front();
}

std::string ResultLines(const std::map<int, pid_t>& tasks) {
  std::string text;
  for (const auto& [task, pid] : tasks) absl::StrAppend(&text, "task ", task, ": ", task * task, "\n");
  return text;
}

std::vector<std::string> NoSignal() {
  Trace trace("no signal", /*gate_shut=*/false);
  if (!trace.Start({})) return trace.problems();
  const std::optional<int> exit_code = trace.WaitForExit(kTimeout, ", with no signal sent");
  trace.CheckExitCode(exit_code, 0, " after a run nobody interrupted");
  std::string expected;
  for (int task = 1; task <= kTasks; ++task) absl::StrAppend(&expected, "task ", task, ": ", task * task, "\n");
  if (exit_code) trace.CheckOutput(expected + "done\n");
  return trace.problems();
}

std::vector<std::string> CtrlC() {
  Trace trace("Ctrl-C", /*gate_shut=*/true);
  if (!trace.Start({"--grace_ms=600000"})) return trace.problems();
  const std::map<int, pid_t> running = trace.WaitForRunningTasks(kWorkers);
  if (running.empty()) return trace.problems();
  kill(-trace.pid(), SIGINT);  // what the terminal does on Ctrl-C: the whole group
  if (!trace.WaitForLine("stopping (SIGINT)", " after Ctrl-C")) {
    const std::optional<int> exit_code = trace.WaitForExit(absl::Seconds(5), "");
    trace.CheckExitCode(exit_code, 130, "");
    return trace.problems();
  }
  trace.OpenGate();  // the running tasks may finish now
  const std::optional<int> exit_code = trace.WaitForExit(
      kTimeout, ", though the tasks it was waiting for had been let finish");
  const TaskCalls calls = trace.Calls();
  std::map<int, pid_t> late;
  for (const auto& [task, pid] : calls.started) {
    if (!running.count(task)) late[task] = pid;
  }
  if (!late.empty()) {
    trace.Problem(absl::StrCat(
        "the runner started task(s) ", Tasks(late), " after the Ctrl-C. Once asked to stop, "
        "start nothing new: let only the tasks already running finish (HINTS.md, hint 3)."));
  }
  for (const auto& [task, pid] : running) {
    if (calls.ended.count(task)) continue;
    trace.Problem(absl::StrCat(
        "task ", task, ", running when Ctrl-C came, never finished, although the grader let "
        "it (and the grace period was long). The terminal sends SIGINT to every process of "
        "the foreground process group, so it killed the task too: make the tasks ignore "
        "SIGINT (signal(SIGINT, SIG_IGN) in the child), and let the runner decide "
        "(HINTS.md, hint 2)."));
  }
  trace.CheckExitCode(exit_code, 130, " after Ctrl-C: 128 + SIGINT (2), as a shell reports it");
  if (exit_code && trace.problems().empty()) {
    trace.CheckOutput(absl::StrCat(FirstLine(trace.output()), "\n", ResultLines(running),
                                   "interrupted: ", running.size(), " of ", kTasks, " tasks done\n"));
  }
  return trace.problems();
}

std::vector<std::string> TermAndGraceRunsOut() {
  Trace trace("SIGTERM", /*gate_shut=*/true);
  if (!trace.Start({"--grace_ms=200"})) return trace.problems();
  const std::map<int, pid_t> running = trace.WaitForRunningTasks(kWorkers);
  if (running.empty()) return trace.problems();
  kill(trace.pid(), SIGTERM);  // as a service manager asks: the runner alone
  if (!trace.WaitForLine("stopping (SIGTERM)", " after SIGTERM")) {
    const std::optional<int> exit_code = trace.WaitForExit(absl::Seconds(5), "");
    trace.CheckExitCode(exit_code, 143, "");
    return trace.problems();
  }
  // The gate stays shut: the two tasks cannot finish, and must be ended after 200 ms.
  const std::optional<int> exit_code = trace.WaitForExit(
      absl::Seconds(10), absl::StrCat(" after SIGTERM, with --grace_ms=200 and tasks ", Tasks(running),
                             " unable to finish: when the grace period runs out, SIGKILL the "
                             "tasks still running, then collect them (sigtimedwait() with the "
                             "time left, HINTS.md, hint 3)"));
  if (!exit_code) return trace.problems();
  const TaskCalls calls = trace.Calls();
  if (calls.started.size() > running.size()) {
    trace.Problem("the runner started new tasks after SIGTERM (HINTS.md, hint 3).");
  }
  trace.CheckExitCode(exit_code, 143, " after SIGTERM: 128 + SIGTERM (15)");
  if (trace.problems().empty()) {
    trace.CheckOutput(absl::StrCat(FirstLine(trace.output()), "\n",
                                   "interrupted: 0 of ", kTasks, " tasks done\n"));
  }
  return trace.problems();
}

// Pass criterion: the three traces of the file comment, in order (a later one is run only
// if the ones before passed: they would repeat the same mistake).
TEST(CtrlCGrade, StopsCleanlyOnCtrlCAndSigterm) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);  // tasks the runner leaves come to us, to be checked
  std::vector<std::string> problems = NoSignal();
  if (problems.empty()) problems = CtrlC();
  if (problems.empty()) problems = TermAndGraceRunsOut();
  mp::grading::Report(problems);
}

}  // namespace
