// IpcLeakCheckedTest: LeakCheckedTest (no child, zombie or descriptor left behind) that
// also fails a test which leaves a shared-memory segment of ours in /dev/shm.
//
// Other test binaries may run at the same time and own segments of their own, so a
// segment counts against this test when it appeared during the test and its owner is
// this process or a process that has gone (a child the test started and killed).

#ifndef MP_IPC_TESTING_IPC_LEAK_CHECK_H_
#define MP_IPC_TESTING_IPC_LEAK_CHECK_H_

#include <set>
#include <string>
#include <vector>

#include "process/testing/leak_check.h"

namespace mp::test {

// Our segments in /dev/shm now (ListOurSharedMemory()).
std::set<std::string> OurSegments();

// The segments that appeared since `before` and are this process's or a gone process's:
// what a test left behind, by the rule above. For fixtures that cannot derive from
// IpcLeakCheckedTest.
std::vector<std::string> SegmentsLeftBehind(const std::set<std::string>& before);

class IpcLeakCheckedTest : public LeakCheckedTest {
 protected:
  void SetUp() override;
  void TearDown() override;

 private:
  std::set<std::string> segments_before_;
};

}  // namespace mp::test

#endif  // MP_IPC_TESTING_IPC_LEAK_CHECK_H_
