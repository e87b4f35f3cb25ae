#include "ipc/testing/ipc_leak_check.h"

#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ipc/shared_memory.h"

namespace mp::test {

std::set<std::string> OurSegments() {
  absl::StatusOr<std::vector<std::string>> names = SegmentsOwnedBy(getpid());
  EXPECT_TRUE(names.ok()) << names.status();
  if (!names.ok()) return {};
  return std::set<std::string>(names->begin(), names->end());
}

std::vector<std::string> SegmentsLeftBehind(const std::set<std::string>& before) {
  std::vector<std::string> left_behind;
  for (const std::string& name : OurSegments()) {
    if (before.count(name) == 0) left_behind.push_back(name);
  }
  return left_behind;
}

void IpcLeakCheckedTest::SetUp() {
  LeakCheckedTest::SetUp();
  segments_before_ = OurSegments();
}

void IpcLeakCheckedTest::TearDown() {
  LeakCheckedTest::TearDown();
  EXPECT_EQ(SegmentsLeftBehind(segments_before_), std::vector<std::string>{})
      << "the test left shared-memory segments alive";
}

}  // namespace mp::test
