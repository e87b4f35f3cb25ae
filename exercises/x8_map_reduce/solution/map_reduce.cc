// Reference solution for exercise X8: a parallel word count, map-reduce style, that
// survives killed workers.

#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "base/cli/parse_flags.h"
#include "exercises/x8_map_reduce/word_count.h"

ABSL_FLAG(std::string, input_dir, "", "the directory whose files to count the words of");
ABSL_FLAG(int, workers, 2, "worker processes at once (1 to 64)");
ABSL_FLAG(int, reduce_tasks, 3, "reduce tasks: how many parts the words are split into (1 to 64)");
ABSL_FLAG(std::string, scratch_in, "", "where to make the scratch directory (default: $TMPDIR, else /tmp)");

namespace {

std::string MakeScratch(std::string base) {
  if (base.empty()) base = getenv("TMPDIR") != nullptr ? getenv("TMPDIR") : "/tmp";
  std::string pattern = base + "/x8-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror(pattern.c_str());
    std::exit(1);
  }
  return pattern;
}

std::string IntermediateFile(const std::string& scratch, int map_task, int reduce_task) {
  return scratch + "/mr-" + std::to_string(map_task) + "-" + std::to_string(reduce_task);
}

std::string OutputFile(const std::string& scratch, int reduce_task) {
  return scratch + "/out-" + std::to_string(reduce_task);
}

// Runs task(0) .. task(count - 1), each in a child process of its own, at most `workers`
// at once. A child that does not exit 0 (killed, crashed) has its task run again: every
// task writes its files whole, so a second run never mixes with what the first left.
void RunEachInAChild(int count, int workers, const char* phase, const std::function<void(int)>& task) {
  std::vector<int> pending;
  for (int i = count - 1; i >= 0; --i) pending.push_back(i);  // taken from the back: 0 first
  std::map<pid_t, int> running;  // pid -> task
  while (!pending.empty() || !running.empty()) {
    while (!pending.empty() && static_cast<int>(running.size()) < workers) {
      const int next = pending.back();
      const pid_t pid = fork();
      if (pid < 0) {
        std::perror("fork");
        std::exit(1);
      }
      if (pid == 0) {
        task(next);
        std::fflush(nullptr);
        _exit(0);
      }
      pending.pop_back();
      running[pid] = next;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      std::perror("waitpid");
      std::exit(1);
    }
    const int finished = running[pid];
    running.erase(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "%s task %d: its worker died; running it again\n", phase, finished + 1);
      pending.push_back(finished);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  mp::cli::ParseFlags(argc, argv, "Counts the words of every file in --input_dir, map-reduce style.");
  const std::string input_dir = absl::GetFlag(FLAGS_input_dir);
  const int workers = absl::GetFlag(FLAGS_workers);
  const int reduce_tasks = absl::GetFlag(FLAGS_reduce_tasks);
  if (workers < 1 || workers > 64) mp::cli::ExitBadUsage("--workers must be 1 to 64");
  if (reduce_tasks < 1 || reduce_tasks > 64) mp::cli::ExitBadUsage("--reduce_tasks must be 1 to 64");
  std::error_code error;
  if (input_dir.empty() || !std::filesystem::is_directory(mp::cli::UserPath(input_dir), error)) {
    mp::cli::ExitBadUsage("--input_dir must name a directory");
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(mp::cli::UserPath(input_dir))) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  const int map_tasks = static_cast<int>(files.size());
  const std::string scratch = MakeScratch(absl::GetFlag(FLAGS_scratch_in));

  // Map: each file's words, split into reduce_tasks intermediate files by Partition.
  RunEachInAChild(map_tasks, workers, "map", [&](int m) {
    std::vector<x8::Pairs> parts(reduce_tasks);
    for (auto& pair : x8::MapTask(m + 1, files[m])) {
      parts[x8::Partition(pair.first, reduce_tasks)].push_back(std::move(pair));
    }
    for (int r = 0; r < reduce_tasks; ++r) x8::WriteIntermediate(IntermediateFile(scratch, m, r), parts[r]);
  });
  // Reduce starts only now: it needs every map's output for its part.
  RunEachInAChild(reduce_tasks, workers, "reduce", [&](int r) {
    std::vector<std::string> inputs;
    for (int m = 0; m < map_tasks; ++m) inputs.push_back(IntermediateFile(scratch, m, r));
    x8::WriteCounts(OutputFile(scratch, r), x8::ReduceTask(r + 1, inputs));
  });

  // The parts hold different words: together, in word order, they are the answer.
  x8::Counts all;
  for (int r = 0; r < reduce_tasks; ++r) {
    for (const auto& [word, count] : x8::ReadCounts(OutputFile(scratch, r))) all[word] += count;
  }
  for (const auto& [word, count] : all) std::printf("%s %ld\n", word.c_str(), count);
  std::filesystem::remove_all(scratch, error);
  return 0;
}
