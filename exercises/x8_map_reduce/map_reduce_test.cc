// The grader for exercise X8 (run as `map_reduce_test <program> <pass|fail>`; see
// exercises/grading/grading.h). Graded as MIT 6.5840's lab 1 is, with a gate instead of
// a clock: every MapTask and ReduceTask call records which process runs it and waits at
// a gate the grader holds, one gate for maps and one for reduces (word_count.h).
//
// 1. Parallelism: with the map gate shut, two map tasks must be running at once, in
//    processes other than the program itself. If instead everything stops for good with
//    fewer running (proc_view.h's StallDetector), maps ran one at a time. Then the maps
//    may finish, the last one only once everything else has stopped: a reduce that
//    starts while it is held started too early.
// 2. Crashes: with both gates shut, it kills (SIGKILL) a running map task's process chosen
//    at random, then another once two run again, then opens the map gate; then kills a
//    running reduce task's process, and opens the reduce gate.
// Both runs: no reduce task starts before every map has ended; the output is exactly
// the sequential count (the grader wrote the input, so it knows it); exit 0; no worker
// left running or unreaped; the scratch directory removed.

#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
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

using mp::grading::TaskCalls;

constexpr absl::Duration kTimeout = absl::Seconds(60);
constexpr int kFiles = 6;
constexpr int kReduceTasks = 3;
constexpr int kWorkers = 2;

// Writes kFiles files of words into `dir` and returns the true count of each word.
std::map<std::string, long> WriteInput(const std::string& dir, std::mt19937& random) {
  const std::vector<std::string> vocabulary = {
      "fork", "exec", "wait", "pipe", "signal", "zombie", "orphan", "worker", "pool",
      "map", "reduce", "shuffle", "crash", "retry", "chunk", "queue", "lock", "barrier",
      "process", "thread", "core", "kernel", "page", "copy", "write"};
  std::map<std::string, long> counts;
  std::filesystem::create_directory(dir);
  for (int file = 0; file < kFiles; ++file) {
    std::ofstream out(absl::StrCat(dir, "/part-", file, ".txt"));
    const int words = 500 + static_cast<int>(random() % 1500);
    for (int i = 0; i < words; ++i) {
      const std::string& word = vocabulary[random() % vocabulary.size()];
      ++counts[word];
      // Capitals and punctuation: a word is a run of letters, lowercased.
      out << (i % 7 == 0 ? std::string(1, static_cast<char>(word[0] - 'a' + 'A')) + word.substr(1) : word)
          << (i % 11 == 10 ? ".\n" : i % 5 == 4 ? ", " : " ");
    }
  }
  return counts;
}

std::string Tasks(const std::map<int, pid_t>& tasks) {
  std::vector<std::string> named;
  for (const auto& [task, pid] : tasks) named.push_back(absl::StrCat(task, " (pid ", pid, ")"));
  return named.empty() ? "none" : absl::StrJoin(named, ", ");
}


class Run {
 public:
  Run(std::string name, std::mt19937& random)
      : name_(std::move(name)),
        dir_(mp::grading::MakeGraderDirectory("x8")),
        map_dir_(dir_ + "/map"),
        reduce_dir_(dir_ + "/reduce"),
        scratch_base_(dir_ + "/scratch") {
    std::filesystem::create_directory(map_dir_);
    std::filesystem::create_directory(reduce_dir_);
    std::filesystem::create_directory(scratch_base_);
    map_gate_.emplace(map_dir_);
    last_map_gate_.emplace(map_dir_, kFiles);
    reduce_gate_.emplace(reduce_dir_);
    counts_ = WriteInput(dir_ + "/input", random);
  }
  ~Run() { Finish(); }

  bool Start() {
    setenv("X8_GRADER_DIR", dir_.c_str(), 1);
    absl::StatusOr<mp::test::SpawnedProgram> program = mp::test::SpawnedProgram::Start(
        mp::grading::Program(),
        {absl::StrCat("--input_dir=", dir_, "/input"), absl::StrCat("--workers=", kWorkers),
         absl::StrCat("--reduce_tasks=", kReduceTasks), absl::StrCat("--scratch_in=", scratch_base_)},
        /*new_session=*/true);
    unsetenv("X8_GRADER_DIR");
    if (!program.ok()) {
      Problem(absl::StrCat("the program did not start: ", program.status().ToString()));
      return false;
    }
    program_.emplace(std::move(*program));
    deadline_ = absl::Now() + mp::grading::WithinTestTimeout(kTimeout);
    return true;
  }

  // Opens the gate of every map but the last; once everything has stopped (the program
  // waiting for that map, nothing else to do), opens its gate too. A program that starts
  // reducing while that map is held is caught starting a reduce too early, every run.
  void LetTheMapsFinishLastOneLast() {
    map_gate_->Open();
    mp::grading::StallDetector stalls;
    while (ok() && !Exited() && !stalls.Stalled(mp::grading::LiveTree(pid()))) {
      if (absl::Now() > deadline_) {
        Problem(absl::StrCat("waiting for the maps to finish: ", mp::grading::StillRunning(pid(), kTimeout)));
        return;
      }
      Drain();
      CheckRules();
    }
    last_map_gate_->Open();
  }
  void OpenReduceGate() { reduce_gate_->Open(); }
  TaskCalls Maps() const { return mp::grading::ReadTaskCalls(map_dir_, kFiles); }
  TaskCalls Reduces() const { return mp::grading::ReadTaskCalls(reduce_dir_, kReduceTasks); }
  bool ok() const { return problems_.empty(); }
  const std::vector<std::string>& problems() const { return problems_; }
  void Problem(const std::string& text) { problems_.push_back(absl::StrCat("[", name_, "] ", text)); }

  // Waits until `wanted` says yes about the running map (or reduce) tasks. False, with a
  // problem, if the program exits, stops for good, breaks a rule, or time runs out first.
  bool WaitUntil(bool reduce_phase, int at_least, const std::string& what) {
    mp::grading::StallDetector stalls;
    while (ok()) {
      if (absl::Now() > deadline_) {
        Problem(absl::StrCat("waiting for ", what, ": ", mp::grading::StillRunning(pid(), kTimeout)));
        return false;
      }
      Drain();
      const bool stalled = stalls.Stalled(mp::grading::LiveTree(pid()));
      const std::map<int, pid_t> running = mp::grading::RunningTasks(reduce_phase ? Reduces() : Maps());
      CheckRules();
      if (!ok()) return false;
      if (static_cast<int>(running.size()) >= at_least) return true;
      if (Exited()) {
        Problem(absl::StrCat("the program exited while the grader waited for ", what, "."));
        return false;
      }
      if (stalled) {
        Problem(absl::StrCat(
            "while the grader waited for ", what, ", everything stopped for good, with these ",
            reduce_phase ? "reduce" : "map", " tasks running: ", Tasks(running), ". ",
            reduce_phase ? "" : "With --workers=2, two map tasks must run at once, each in a worker "
                                "process of its own: fork them both before waiting for either, and "
                                "when a worker dies, run its task again in a new one (HINTS.md, "
                                "hints 1 and 3). ",
            mp::grading::DescribeHang(pid())));
        return false;
      }
    }
    return false;
  }

  // Kills the process of one running map (or reduce) task, chosen at random.
  void KillOne(bool reduce_phase, std::mt19937& random) {
    const std::map<int, pid_t> running = mp::grading::RunningTasks(reduce_phase ? Reduces() : Maps());
    if (running.empty()) return;
    auto victim = running.begin();
    std::advance(victim, random() % running.size());
    mp::grading::KillAndWaitUntilEnded(victim->second);
  }

  // Lets the program finish and checks everything it left.
  void WaitForTheEnd() {
    while (ok() && !Exited()) {
      if (absl::Now() > deadline_) {
        Problem(mp::grading::StillRunning(pid(), kTimeout));
        break;
      }
      Drain();
      CheckRules();
    }
    if (!ok()) return;
    while (Drain()) {
    }
    for (const TaskCalls& calls : {Maps(), Reduces()}) {
      for (const auto& [task, worker] : calls.started) {
        const std::optional<char> state = mp::test::ProcessState(worker);
        if (!state || worker == pid()) continue;
        Problem(absl::StrCat("the program exited and left worker ", worker,
                             *state == 'Z' ? " unreaped (a zombie)" : " still running",
                             ": waitpid() every child, the killed ones too (HINTS.md, hint 2)."));
      }
    }
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(scratch_base_, error)) {
      Problem(absl::StrCat("the scratch directory ", entry.path().filename().string(),
                           " was left behind: remove it at the end (HINTS.md, hint 4)."));
    }
    kill(-pid(), SIGKILL);
    absl::StatusOr<int> exit_code = program_->Wait(absl::Seconds(30));
    std::string expected;
    for (const auto& [word, count] : counts_) absl::StrAppend(&expected, word, " ", count, "\n");
    if (output_ != expected) {
      Problem(absl::StrCat(
          mp::grading::ExpectedButSaw("every word and its count, in word order", output_),
          "\nThe right answer has ", counts_.size(), " lines; it begins \"",
          mp::grading::Lines(expected).front(), "\". A killed worker's task must run again, "
          "exactly once in the total: its files are written whole, so the second run "
          "simply replaces the first (HINTS.md, hint 3)."));
    }
    if (!exit_code.ok() || *exit_code != 0) Problem("the program should exit 0.");
  }

  void Finish() {
    if (!program_) return;
    kill(-pid(), SIGKILL);
    map_gate_->Open();
    last_map_gate_->Open();
    reduce_gate_->Open();
    (void)program_->Wait(absl::Seconds(30));
    mp::grading::ReapOrphans();
    program_.reset();
  }

 private:
  pid_t pid() const { return program_->pid(); }

  bool Exited() const { return !mp::grading::Alive(pid()); }
  bool Drain() { return mp::grading::ReadALineInto(*program_, output_, absl::Milliseconds(5)); }

  // Rules that hold at every moment: no task in the program itself; no reduce while a
  // map has not ended.
  void CheckRules() {
    const TaskCalls maps = Maps();
    const TaskCalls reduces = Reduces();
    for (const TaskCalls* calls : {&maps, &reduces}) {
      for (const auto& [task, worker] : calls->started) {
        if (worker != pid()) continue;
        Problem(absl::StrCat(
            "your program ran a ", calls == &maps ? "map" : "reduce", " task itself (task ", task,
            "): every task belongs in a worker process, so that a crash takes only that task "
            "with it and the tasks run at once (HINTS.md, hint 1)."));
        return;
      }
    }
    if (reduces.started.empty()) return;
    std::map<int, pid_t> unfinished;
    for (const auto& [task, worker] : maps.started) {
      if (!maps.ended.count(task)) unfinished[task] = worker;
    }
    for (int task = 1; task <= kFiles; ++task) {
      if (!maps.started.count(task)) unfinished[task] = 0;
    }
    if (unfinished.empty()) return;
    Problem(absl::StrCat(
        "a reduce task started while map tasks had not all ended (", unfinished.size(),
        " had not, among them task ", unfinished.begin()->first, "). A reduce task reads "
        "every map's output for its part: start the reduces only once every map has "
        "finished, the ones run again after a crash included (HINTS.md, hint 2)."));
  }

  std::string name_;
  std::string dir_;
  std::string map_dir_;
  std::string reduce_dir_;
  std::string scratch_base_;
  std::optional<mp::grading::Gate> map_gate_;
  std::optional<mp::grading::Gate> last_map_gate_;  // holds the last map after the others
  std::optional<mp::grading::Gate> reduce_gate_;
  std::map<std::string, long> counts_;
  std::optional<mp::test::SpawnedProgram> program_;
  absl::Time deadline_;
  std::string output_;
  std::vector<std::string> problems_;
};

std::vector<std::string> Parallelism(std::mt19937& random) {
  Run run("parallelism", random);
  run.OpenReduceGate();
  if (!run.Start()) return run.problems();
  if (run.WaitUntil(/*reduce_phase=*/false, kWorkers, "two map tasks running at once")) {
    run.LetTheMapsFinishLastOneLast();
    run.WaitForTheEnd();
  }
  run.Finish();
  return run.problems();
}

std::vector<std::string> Crashes(std::mt19937& random) {
  Run run("crash test", random);
  if (!run.Start()) return run.problems();
  for (int kill = 0; kill < 2 && run.ok(); ++kill) {
    if (!run.WaitUntil(/*reduce_phase=*/false, kWorkers, "two map tasks running at once")) break;
    run.KillOne(/*reduce_phase=*/false, random);
  }
  if (run.ok()) run.LetTheMapsFinishLastOneLast();
  if (run.ok() && run.WaitUntil(/*reduce_phase=*/true, 1, "a reduce task running")) {
    run.KillOne(/*reduce_phase=*/true, random);
    run.OpenReduceGate();
    run.WaitForTheEnd();
  }
  run.Finish();
  return run.problems();
}

// Pass criterion: see the file comment. The crash test runs only once the parallelism
// test passes.
TEST(MapReduceGrade, ParallelExactAndSurvivesKilledWorkers) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);  // workers the program leaves come to us, to be checked
  std::random_device seed_source;
  const unsigned seed = seed_source();
  std::mt19937 random(seed);
  std::vector<std::string> problems = Parallelism(random);
  if (problems.empty()) problems = Crashes(random);
  for (std::string& problem : problems) absl::StrAppend(&problem, " (grader seed ", seed, ")");
  mp::grading::Report(problems);
}

}  // namespace
