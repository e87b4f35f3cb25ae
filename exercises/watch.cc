// Re-grades one exercise every time you save a file in its folder, and shows the
// grader's first message: edit, save, read, repeat (as rustlings' watch mode does).
//
//   ./bazelw run //exercises:watch -- q3_create_process
//
// Ctrl-C ends it. It waits for changes with inotify (no polling) and grades with the
// same `bazel test` as //exercises:progress, reading the outcome from Bazel's record.

#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "base/cli/parse_flags.h"
#include "base/unique_fd.h"
#include "exercises/grade_runner.h"
#include "exercises/progress_report.h"

ABSL_FLAG(std::string, workspace, "",
          "the repository (default: where `bazel run` was started from)");
ABSL_FLAG(std::string, bazel, "", "the Bazel command (default: <workspace>/bazelw)");
ABSL_FLAG(int, grades, 0, "stop after this many grades (0: run until Ctrl-C; for tests)");

namespace mp::exercises {
namespace {

// The first problem the grader reported: one thing to fix at a time.
std::string FirstMessage(const ExerciseResult& result) {
  const size_t end = result.output.find("\n\n");
  return end == std::string::npos ? result.output : result.output.substr(0, end);
}

void ShowGrade(const ExerciseResult& result, int round) {
  std::printf("\n[grade %d] %s: ", round, result.name.c_str());
  switch (result.grade) {
    case Grade::kPassed:
      std::printf("PASSES. Well done; ./bazelw run //exercises:progress says what is next.\n");
      break;
    case Grade::kDoesNotBuild:
      std::printf("does not build:\n%s\n", result.output.c_str());
      break;
    default:
      std::printf("not yet.\n%s\n", FirstMessage(result).c_str());
  }
  std::printf("(watching exercises/%s for saves; Ctrl-C to stop)\n", result.name.c_str());
  std::fflush(stdout);
}

// Blocks until a file in the watched folder is saved (true) or Ctrl-C / SIGTERM (false).
// Editors save by writing in place or by renaming a new file over the old one: both count.
bool WaitForASave(int inotify, int signals) {
  while (true) {
    pollfd ready[2] = {{inotify, POLLIN, 0}, {signals, POLLIN, 0}};
    if (poll(ready, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (ready[1].revents != 0) return false;
    alignas(inotify_event) char events[4096];
    const ssize_t got = read(inotify, events, sizeof events);
    if (got <= 0) return false;
    for (ssize_t at = 0; at < got;) {
      const auto* event = reinterpret_cast<const inotify_event*>(events + at);
      const std::string name = event->len > 0 ? event->name : "";
      // Editors' swap and backup files are not saves of the code.
      const bool code = !name.empty() && name[0] != '.' && name.back() != '~';
      if (code) return true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
}

int Main(const std::string& name) {
  if (name.empty()) {
    cli::ExitBadUsage("name one exercise: ./bazelw run //exercises:watch -- q3_create_process");
  }
  std::string workspace = absl::GetFlag(FLAGS_workspace);
  if (workspace.empty()) {
    const char* from_bazel = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    if (from_bazel == nullptr) cli::ExitBadUsage("run me with `./bazelw run //exercises:watch -- <exercise>`, or pass --workspace");
    workspace = from_bazel;
  }
  std::string bazel = absl::GetFlag(FLAGS_bazel);
  if (bazel.empty()) bazel = workspace + "/bazelw";
  if (absl::GetFlag(FLAGS_grades) < 0) cli::ExitBadUsage("--grades must be 0 or more");
  if (ExerciseNames(workspace, {name}).empty()) {
    cli::ExitBadUsage(absl::StrCat("no exercise named '", name, "' under ", workspace,
                                   "/exercises (the folder names, e.g. q3_create_process)"));
  }

  // Ctrl-C and SIGTERM arrive as readable data on a descriptor, so the wait for a save
  // can end cleanly. (A grade in progress is Bazel's: it stops on Ctrl-C by itself.)
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  internal::UniqueFd signals(signalfd(-1, &stop, SFD_CLOEXEC));
  internal::UniqueFd inotify(inotify_init1(IN_CLOEXEC));
  const std::string folder = absl::StrCat(workspace, "/exercises/", name);
  if (!signals.valid() || !inotify.valid() ||
      inotify_add_watch(inotify.get(), folder.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
    std::fprintf(stderr, "watch: cannot watch %s: %s\n", folder.c_str(), std::strerror(errno));
    return 1;
  }
  for (int round = 1;; ++round) {
    ShowGrade(GradeAll(workspace, bazel, {name}).front(), round);
    if (round == absl::GetFlag(FLAGS_grades)) return 0;
    if (!WaitForASave(inotify.get(), signals.get())) break;
  }
  std::printf("\nwatch: stopped.\n");
  return 0;
}

}  // namespace
}  // namespace mp::exercises

int main(int argc, char** argv) {
  // The exercise is the one argument that is not a flag; the flags are parsed without it.
  std::string exercise;
  std::vector<char*> flags;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && argv[i][0] != '-' && exercise.empty()) {
      exercise = argv[i];
    } else {
      flags.push_back(argv[i]);
    }
  }
  mp::cli::ParseFlags(static_cast<int>(flags.size()), flags.data(),
                      "Re-grades an exercise on every save: watch <exercise>.");
  return mp::exercises::Main(exercise);
}
