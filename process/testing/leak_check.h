// A test fixture that fails a test which leaves a child process (running or zombie)
// or an open file descriptor behind.
//
//   class ProcessTest : public mp::test::LeakCheckedTest {};
//   TEST_F(ProcessTest, ...) { ... }   // checked after the body, in TearDown()
//
// It stops the fork server (which is a legitimate long-lived child) before looking.

#ifndef MP_PROCESS_TESTING_LEAK_CHECK_H_
#define MP_PROCESS_TESTING_LEAK_CHECK_H_

#include <sys/types.h>

#include <optional>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace mp::test {

// The descriptors this process has open.
std::set<int> OpenFds();

// The pids whose parent is `parent` (zombies included), read from /proc.
std::vector<pid_t> ChildrenOf(pid_t parent);

// The processes of process group `process_group` that have not ended (zombies left
// out), read from /proc.
std::vector<pid_t> LiveMembersOfGroup(pid_t process_group);

// The state letter /proc/<pid>/stat gives (R running, S sleeping, Z zombie, ...);
// nullopt once the process has gone (been collected).
std::optional<char> ProcessState(pid_t pid);

class LeakCheckedTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

 private:
  std::set<int> fds_before_;
};

}  // namespace mp::test

#endif  // MP_PROCESS_TESTING_LEAK_CHECK_H_
