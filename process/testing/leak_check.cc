#include "process/testing/leak_check.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
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

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (const dirent* entry = ::readdir(proc)) {
    const pid_t pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    // /proc/<pid>/stat: "pid (command) state ppid ..."; the command may hold spaces
    // and parentheses, so read from the last ')'.
    std::ifstream stat_file("/proc/" + std::string(entry->d_name) + "/stat");
    std::string stat;
    std::getline(stat_file, stat);
    const size_t end_of_command = stat.rfind(')');
    if (end_of_command == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(stat.c_str() + end_of_command + 1, " %c %d", &state, &ppid) == 2 &&
        ppid == parent) {
      children.push_back(pid);
    }
  }
  ::closedir(proc);
  return children;
}

void LeakCheckedTest::SetUp() { fds_before_ = OpenFds(); }

void LeakCheckedTest::TearDown() {
  EXPECT_TRUE(ShutdownForkServer().ok());
  EXPECT_EQ(ChildrenOf(::getpid()), std::vector<pid_t>{})
      << "the test left child processes (running or zombie) behind";
  EXPECT_EQ(OpenFds(), fds_before_) << "the test leaked file descriptors";
}

}  // namespace mp::test
