#include "process/testing/leak_check.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "process/process.h"

namespace mp::test {

std::set<int> OpenFds() {
  std::set<int> fds;
  DIR* directory = ::opendir("/proc/self/fd");
  if (directory == nullptr) return fds;
  while (const dirent* entry = ::readdir(directory)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd != ::dirfd(directory)) fds.insert(fd);
  }
  ::closedir(directory);
  return fds;
}

namespace {

struct ProcStat {
  char state = 0;
  pid_t ppid = 0;
  pid_t process_group = 0;
};

// /proc/<pid>/stat: "pid (command) state ppid ..."; the command may hold spaces and
// parentheses, so read from the last ')'. nullopt if there is no such process.
std::optional<ProcStat> ReadProcStat(const std::string& pid) {
  std::ifstream stat_file("/proc/" + pid + "/stat");
  std::string stat;
  if (!std::getline(stat_file, stat)) return std::nullopt;
  const size_t end_of_command = stat.rfind(')');
  if (end_of_command == std::string::npos) return std::nullopt;
  ProcStat parsed;
  if (std::sscanf(stat.c_str() + end_of_command + 1, " %c %d %d", &parsed.state, &parsed.ppid,
                  &parsed.process_group) != 3) {
    return std::nullopt;
  }
  return parsed;
}

// The pids of the processes in /proc whose stat `matches`.
template <typename Predicate>
std::vector<pid_t> ProcessesWhere(Predicate matches) {
  std::vector<pid_t> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (const dirent* entry = ::readdir(proc)) {
    const pid_t pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    const std::optional<ProcStat> stat = ReadProcStat(entry->d_name);
    if (stat.has_value() && matches(*stat)) found.push_back(pid);
  }
  ::closedir(proc);
  return found;
}

}  // namespace

std::vector<pid_t> ChildrenOf(pid_t parent) {
  return ProcessesWhere([parent](const ProcStat& stat) { return stat.ppid == parent; });
}

std::vector<pid_t> LiveMembersOfGroup(pid_t process_group) {
  return ProcessesWhere([process_group](const ProcStat& stat) {
    return stat.process_group == process_group && stat.state != 'Z';
  });
}

std::optional<char> ProcessState(pid_t pid) {
  const std::optional<ProcStat> stat = ReadProcStat(std::to_string(pid));
  if (!stat.has_value()) return std::nullopt;
  return stat->state;
}

void LeakCheckedTest::SetUp() { fds_before_ = OpenFds(); }

void LeakCheckedTest::TearDown() {
  EXPECT_TRUE(ShutdownForkServer().ok());
  EXPECT_EQ(ChildrenOf(::getpid()), std::vector<pid_t>{})
      << "the test left child processes (running or zombie) behind";
  EXPECT_EQ(OpenFds(), fds_before_) << "the test leaked file descriptors";
}

}  // namespace mp::test
