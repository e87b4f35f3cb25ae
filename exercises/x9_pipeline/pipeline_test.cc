// The grader for exercise X9 (run as `pipeline_test <program> <pass|fail>`; see
// exercises/grading/grading.h).
//
// It runs the program with three copies of pipeline_stage.cc as its commands. Each stage
// reports, right after exec, which pipe ends it holds, does its part, and then waits
// until the grader lets it go. Every check is made on a state that lasts, never on a
// race won or lost:
// - the wiring and every leftover pipe end in a stage, from the stages' own reports;
// - the program's own pipe ends, read while it waits for a child (it waits there until
//   the grader lets the stages go, so a forgotten end is seen every run, and a forgotten
//   write end, which would hang the pipeline for ever, is named at once);
// - waiting before all three are started, from its children while it waits;
// - whether it collects every status, and in which order, by letting the stages go one
//   at a time, consumer first, each only once the one before has been collected.
// A hang the checks above do not explain is reported, with who holds which pipe end,
// after a bounded time.

#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

using mp::grading::PipeEnd;

constexpr absl::Duration kTimeout = absl::Seconds(60);
constexpr int kLines = 20000;  // about 110 KB: more than a pipe holds (64 KiB)
enum Role { kProducer, kFilter, kConsumer };
constexpr std::array<const char*, 3> kRoleNames = {"producer", "filter", "consumer"};
// Distinct and not 0, so that no status can be right by accident.
constexpr std::array<int, 3> kExitCodes = {3, 5, 7};

// What a stage said about itself (pipeline_stage.cc).
struct Stage {
  pid_t pid = 0;
  std::vector<PipeEnd> ends;  // right after exec
  bool reported = false;
  bool done = false;  // finished its part; now held until released
};

// The grader holds a gate per stage, D/gate.<role + 1>; a stage waits there before
// exiting (task_gate.h's WaitAtGate), so each can be let go on its own.
class StageRelease {
 public:
  explicit StageRelease(const std::string& dir)
      : gates_{mp::grading::Gate(dir, kProducer + 1), mp::grading::Gate(dir, kFilter + 1),
               mp::grading::Gate(dir, kConsumer + 1)} {}
  void Release(Role role) { gates_[role].Open(); }

 private:
  mp::grading::Gate gates_[3];
};

std::optional<Stage> ReadReport(const std::string& dir, Role role) {
  const std::string text =
      mp::grading::ReadSmallFile(absl::StrCat(dir, "/", kRoleNames[role], ".report"));
  if (text.empty()) return std::nullopt;
  Stage stage;
  stage.reported = true;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    if (words.size() == 2 && words[0] == "pid") (void)absl::SimpleAtoi(words[1], &stage.pid);
    PipeEnd end;
    if (words.size() == 4 && words[0] == "fd" && absl::SimpleAtoi(words[1], &end.fd)) {
      end.pipe = words[2];
      end.writes = words[3] == "w";
      stage.ends.push_back(end);
    }
  }
  return stage;
}

std::optional<PipeEnd> EndAt(const std::vector<PipeEnd>& ends, int fd) {
  for (const PipeEnd& end : ends) {
    if (end.fd == fd) return end;
  }
  return std::nullopt;
}

// Names the pipes the grader has seen, for sentences a learner can act on.
class PipeNames {
 public:
  PipeNames(std::string program_stdin, std::string program_stdout)
      : program_stdin_(std::move(program_stdin)), program_stdout_(std::move(program_stdout)) {}

  void SetFirstAndSecond(const std::array<Stage, 3>& stages) {
    if (auto end = EndAt(stages[kFilter].ends, 0)) first_ = end->pipe;
    if (auto end = EndAt(stages[kFilter].ends, 1)) second_ = end->pipe;
  }
  bool IsFirstOrSecond(const std::string& pipe) const {
    return !pipe.empty() && (pipe == first_ || pipe == second_);
  }
  const std::string& first() const { return first_; }
  const std::string& second() const { return second_; }
  const std::string& program_stdout() const { return program_stdout_; }

  // "the write end of the first pipe (producer → filter)"
  std::string Describe(const PipeEnd& end) const {
    std::string pipe = "a pipe of its own";
    if (end.pipe == first_) pipe = "the first pipe (producer → filter)";
    if (end.pipe == second_) pipe = "the second pipe (filter → consumer)";
    if (end.pipe == program_stdin_) pipe = "your program's stdin";
    if (end.pipe == program_stdout_) pipe = "your program's stdout";
    return absl::StrCat("the ", end.writes ? "write" : "read", " end of ", pipe);
  }
  std::string DescribeFd(const std::vector<PipeEnd>& ends, int fd) const {
    const std::optional<PipeEnd> end = EndAt(ends, fd);
    return end ? Describe(*end) : "not a pipe";
  }

 private:
  std::string program_stdin_;
  std::string program_stdout_;
  std::string first_;
  std::string second_;
};

// Each stage must have exactly its place in the pipeline on fds 0 and 1.
std::vector<std::string> CheckWiring(const std::array<Stage, 3>& stages, const PipeNames& names) {
  std::vector<std::string> problems;
  const std::optional<PipeEnd> producer_out = EndAt(stages[kProducer].ends, 1);
  const std::optional<PipeEnd> filter_in = EndAt(stages[kFilter].ends, 0);
  const std::optional<PipeEnd> filter_out = EndAt(stages[kFilter].ends, 1);
  const std::optional<PipeEnd> consumer_in = EndAt(stages[kConsumer].ends, 0);
  const std::optional<PipeEnd> consumer_out = EndAt(stages[kConsumer].ends, 1);
  auto link = [&](const char* writer, const std::optional<PipeEnd>& out, const char* reader,
                  const std::optional<PipeEnd>& in, const std::vector<PipeEnd>& writer_ends,
                  const std::vector<PipeEnd>& reader_ends) {
    if (out && in && out->writes && !in->writes && out->pipe == in->pipe &&
        out->pipe != names.program_stdout()) {
      return;
    }
    problems.push_back(absl::StrCat(
        "The ", writer, "'s stdout (fd 1) and the ", reader, "'s stdin (fd 0) were not the two "
        "ends of one pipe: the ", writer, "'s fd 1 was ", names.DescribeFd(writer_ends, 1),
        ", the ", reader, "'s fd 0 was ", names.DescribeFd(reader_ends, 0), ". In each child, "
        "dup2(the pipe end it needs, 0 or 1) first, and close the pipe's ends only after: "
        "dup2() of an end already closed fails and leaves the old stdin or stdout in place "
        "(HINTS.md, hint 2)."));
  };
  link("producer", producer_out, "filter", filter_in, stages[kProducer].ends, stages[kFilter].ends);
  link("filter", filter_out, "consumer", consumer_in, stages[kFilter].ends, stages[kConsumer].ends);
  if (!consumer_out || consumer_out->pipe != names.program_stdout()) {
    problems.push_back(absl::StrCat(
        "The consumer's stdout (fd 1) was ", names.DescribeFd(stages[kConsumer].ends, 1),
        ", not your program's stdout: the last command of a pipeline writes where the shell "
        "writes (HINTS.md, hint 2)."));
  }
  return problems;
}

// Pipe ends beyond stdin and stdout that a stage still held after exec.
std::vector<std::string> CheckLeftoverEnds(const std::array<Stage, 3>& stages,
                                           const PipeNames& names) {
  std::vector<std::string> problems;
  for (int role = 0; role < 3; ++role) {
    for (const PipeEnd& end : stages[role].ends) {
      if (end.fd <= 2) continue;
      std::string effect =
          "A leftover read end does not hang this pipeline, but in a shell it keeps a writer "
          "from getting SIGPIPE when its reader quits (yes | head would never end).";
      if (end.writes && end.pipe == names.first()) {
        effect = "The filter sees end of file only once every copy of that write end is "
                 "closed, this one too: it would read for ever, and the pipeline never ends.";
      } else if (end.writes && end.pipe == names.second()) {
        effect = "The consumer sees end of file only once every copy of that write end is "
                 "closed, this one too: it would read for ever, and the pipeline never ends.";
      }
      problems.push_back(absl::StrCat(
          "The ", kRoleNames[role], " still held ", names.Describe(end), " as fd ", end.fd,
          " when it started (right after exec). ", effect, " In each child, once dup2() has "
          "copied the ends it needs onto 0 and 1, close all four pipe ends (HINTS.md, hint 3)."));
    }
  }
  return problems;
}

// The program's own ends of the two pipes while it waits for a child: it needs none.
std::optional<std::string> CheckParentEnds(pid_t program, const PipeNames& names) {
  std::vector<std::string> held;
  bool holds_a_write_end = false;
  for (const PipeEnd& end : mp::grading::PipeEndsOf(program)) {
    if (!names.IsFirstOrSecond(end.pipe)) continue;
    held.push_back(absl::StrCat(names.Describe(end), " as fd ", end.fd));
    holds_a_write_end |= end.writes;
  }
  if (held.empty()) return std::nullopt;
  return absl::StrCat(
      "While it waited for its children, your program itself still held ", absl::StrJoin(held, ", "),
      ". ",
      holds_a_write_end
          ? "A reader sees end of file only once every copy of a pipe's write end is closed, "
            "your program's copy too: its reader would wait for ever, and so would your "
            "program."
          : "A leftover read end does not hang this pipeline, but the parent uses no end: "
            "close them all.",
      " Close all four ends in the parent after the three forks, before waiting (HINTS.md, "
      "hint 3).");
}

std::string ExpectedOutput() {
  long count = 0;
  long sum = 0;
  for (long number = 3; number <= kLines; number += 3) {
    ++count;
    sum += number;
  }
  return absl::StrCat("consumer read ", count, " lines, sum ", sum, "\nexit statuses: ",
                      kExitCodes[0], " ", kExitCodes[1], " ", kExitCodes[2], "\n");
}

std::vector<std::string> GradeOneRun() {
  const std::string dir = mp::grading::MakeGraderDirectory("x9");
  if (dir.empty()) return {"The grader could not make its directory (TEST_TMPDIR)."};
  StageRelease release(dir);
  const std::string stage_program = mp::test::Runfile("exercises/x9_pipeline/pipeline_stage");
  std::vector<std::string> args;
  for (int role = 0; role < 3; ++role) {
    args.push_back(absl::StrCat("--", kRoleNames[role], "=", stage_program, " --role=",
                                kRoleNames[role], " --dir=", dir, " --exit_code=",
                                kExitCodes[role], " --lines=", kLines));
  }
  absl::StatusOr<mp::test::SpawnedProgram> program =
      mp::test::SpawnedProgram::Start(mp::grading::Program(), args, /*new_session=*/true);
  if (!program.ok()) return {absl::StrCat("The program did not start: ", program.status().ToString())};
  const pid_t pid = program->pid();
  PipeNames names(mp::grading::TargetOf(pid, 0), mp::grading::TargetOf(pid, 1));

  std::vector<std::string> problems;
  std::array<Stage, 3> stages;
  std::string output;
  bool exited = false;
  bool wiring_checked = false;
  bool parent_checked = false;
  // The stages are let go consumer first; release_next counts down to the producer.
  int release_next = kConsumer;
  bool releasing = false;
  const absl::Duration timeout = mp::grading::WithinTestTimeout(kTimeout);
  const absl::Time deadline = absl::Now() + timeout;
  while (problems.empty() && !exited) {
    if (absl::Now() > deadline) {
      problems.push_back(absl::StrCat("The pipeline did not end: ", mp::grading::StillRunning(pid, timeout)));
      break;
    }
    // Drain the program's stdout as it comes (its pacing is this loop's only wait).
    mp::grading::ReadALineInto(*program, output, absl::Milliseconds(5));

    for (int role = 0; role < 3; ++role) {
      if (!stages[role].reported) {
        if (std::optional<Stage> stage = ReadReport(dir, static_cast<Role>(role))) stages[role] = *stage;
      }
      if (stages[role].reported && !stages[role].done) {
        stages[role].done = access(absl::StrCat(dir, "/", kRoleNames[role], ".done").c_str(), F_OK) == 0;
      }
    }
    const bool all_reported = stages[0].reported && stages[1].reported && stages[2].reported;
    if (all_reported && !wiring_checked) {
      wiring_checked = true;
      names.SetFirstAndSecond(stages);
      problems = CheckWiring(stages, names);
      for (std::string& problem : CheckLeftoverEnds(stages, names)) problems.push_back(std::move(problem));
      if (!problems.empty()) break;
    }
    if (!mp::grading::Alive(pid)) {
      exited = true;
      break;
    }
    const std::optional<pid_t> waited_for = mp::grading::ChildWaitedFor(pid);
    if (!waited_for) continue;
    if (!all_reported) {
      const size_t started = mp::test::ChildrenOf(pid).size();
      if (started < 3) {
        problems.push_back(absl::StrCat(
            "Your program started waiting for a child when it had started only ", started,
            " of the three stages. The three must run at the same time: a pipe holds only "
            "64 KiB, so a producer with more to write blocks until the filter reads, and "
            "waiting for it before the filter exists waits for ever. Start all three, then "
            "wait (HINTS.md, hint 4)."));
      }
      continue;
    }
    if (!parent_checked) {
      if (std::optional<std::string> problem = CheckParentEnds(pid, names)) {
        problems.push_back(*problem);
        break;
      }
      parent_checked = true;
    }
    if (!stages[0].done || !stages[1].done || !stages[2].done) continue;
    if (!releasing) {
      releasing = true;
      release.Release(static_cast<Role>(release_next));
    }
    // The stage let go last is collected, or stays a zombie while the program waits for
    // another: then let the next one go.
    const Stage& released = stages[release_next];
    const std::optional<char> released_state = mp::test::ProcessState(released.pid);
    const bool collected = !released_state;
    const bool waits_for_another =
        released_state == 'Z' && *waited_for != -1 && *waited_for != released.pid;
    if ((collected || waits_for_another) && release_next > kProducer) {
      --release_next;
      release.Release(static_cast<Role>(release_next));
    }
  }

  // What the program left: stages still running, or ended and never collected.
  if (exited && problems.empty()) {
    bool any_stage = false;
    for (int role = 0; role < 3; ++role) {
      if (!stages[role].reported) continue;
      any_stage = true;
      const std::optional<char> state = mp::test::ProcessState(stages[role].pid);
      if (!state) continue;
      problems.push_back(absl::StrCat(
          "Your program exited ", *state == 'Z' ? "without collecting the exit status of the "
                                                : "while it had not waited for the ",
          kRoleNames[role], *state == 'Z' ? " (left a zombie)" : ", still running",
          ". Wait for each of the three stages with waitpid() before printing their statuses "
          "(HINTS.md, hint 4)."));
    }
    if (!any_stage) {
      problems.push_back(
          "None of the three stages started: your program exited without running the "
          "commands it was given. Make two pipes, fork() three children and execvp() one "
          "command in each (HINTS.md, hint 1).");
    }
  }
  kill(-pid, SIGKILL);  // whatever is left of the program's process group
  absl::StatusOr<int> exit_code = program->Wait(absl::Seconds(30));
  for (Role role : {kProducer, kFilter, kConsumer}) release.Release(role);
  if (problems.empty()) {
    absl::StatusOr<std::string> rest = program->ReadAll(absl::Seconds(30));
    if (rest.ok()) output += *rest;
    if (output != ExpectedOutput()) {
      problems.push_back(absl::StrCat(
          mp::grading::ExpectedButSaw(ExpectedOutput(), output),
          "\nThe first line is the consumer's own; the second is yours: each stage's exit "
          "status in the order producer, filter, consumer, whatever order they end in (the "
          "WEXITSTATUS of what waitpid() returned for that stage's pid) (HINTS.md, hint 5)."));
    }
    if (!exit_code.ok() || *exit_code != 0) {
      problems.push_back("The program should exit 0 once its three stages have ended.");
    }
  }
  mp::grading::ReapOrphans();
  return problems;
}

// Pass criterion: the three stages are wired producer | filter | consumer with nothing
// else open, the program holds no pipe end while it waits, starts all three before
// waiting, collects every stage's exit status and prints them in the stages' order.
TEST(PipelineGrade, ThreeStagesWiredAndWaitedFor) {
  // Stages the program leaves behind come to the grader, which collects them.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  mp::grading::Report(GradeOneRun());
}

}  // namespace
