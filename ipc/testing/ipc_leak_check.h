// IpcLeakCheckedTest: LeakCheckedTest (no child, zombie or descriptor left behind) that
// also fails a test which leaves a shared-memory segment alive in this process.
//
// A segment cannot outlive the processes that map it (see ipc/shared_memory.h), so what
// a test can leak is a segment this process still owns when the test ends: memory that
// stays until the test binary exits, and one descriptor. The descriptor check would see
// it too; this one names the segment.

#ifndef MP_IPC_TESTING_IPC_LEAK_CHECK_H_
#define MP_IPC_TESTING_IPC_LEAK_CHECK_H_

#include <set>
#include <string>
#include <vector>

#include "process/testing/leak_check.h"

namespace mp::test {

// The segments this process owns now (SegmentsOwnedBy(getpid())).
std::set<std::string> OurSegments();

// The segments this process owns that it did not own `before`: what a test left behind.
// For fixtures that cannot derive from IpcLeakCheckedTest.
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
