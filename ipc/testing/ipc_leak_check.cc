#include "ipc/testing/ipc_leak_check.h"

#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ipc/shared_memory.h"

namespace mp::test {
namespace {

std::set<std::string> OurSegments() {
  absl::StatusOr<std::vector<std::string>> names = ListOurSharedMemory();
  EXPECT_TRUE(names.ok()) << names.status();
  if (!names.ok()) return {};
  return std::set<std::string>(names->begin(), names->end());
}

}  // namespace

void IpcLeakCheckedTest::SetUp() {
  LeakCheckedTest::SetUp();
  segments_before_ = OurSegments();
}

void IpcLeakCheckedTest::TearDown() {
  LeakCheckedTest::TearDown();
  std::vector<std::string> left_behind;
  for (const std::string& name : OurSegments()) {
    if (segments_before_.count(name) != 0) continue;
    // Segments of other live processes belong to tests running beside this one.
    bool ours_or_orphaned = name.find(absl::StrCat("mp-", getpid(), "-")) == 0 || !OwnerIsAlive(name);
    if (ours_or_orphaned) left_behind.push_back(name);
  }
  EXPECT_EQ(left_behind, std::vector<std::string>{})
      << "the test left shared-memory segments in /dev/shm";
}

}  // namespace mp::test
