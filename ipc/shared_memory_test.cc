#include "ipc/shared_memory.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/pipe.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"
#include "process/task_registry.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class SharedMemoryTest : public test::IpcLeakCheckedTest {};

bool Exists(const std::string& segment_name) {
  absl::StatusOr<std::vector<std::string>> names = SegmentsOwnedBy(getpid());
  return names.ok() && std::count(names->begin(), names->end(), segment_name) > 0;
}

// The files of ours in /dev/shm: none ever, since segments are unnamed memory.
std::vector<std::string> OursInDevShm() {
  std::vector<std::string> ours;
  DIR* directory = opendir("/dev/shm");
  if (directory == nullptr) return ours;
  while (dirent* entry = readdir(directory)) {
    if (std::string(entry->d_name).rfind("mp-", 0) == 0) ours.push_back(entry->d_name);
  }
  closedir(directory);
  return ours;
}

// Run in a spawned child: a fresh program that knows the segment only by its name.
int ReplaceGreeting(std::string name) {
  absl::StatusOr<SharedMemory> view = SharedMemory::Attach(name);
  if (!view.ok() || view->size() != 4096 || view->is_owner()) return 1;
  char* bytes = static_cast<char*>(view->data());
  if (std::strcmp(bytes, "from the owner") != 0) return 2;
  std::strcpy(bytes, "from the child");
  return 0;
}
MP_REGISTER_TASK(ReplaceGreeting);

// Passes when a program that attaches by name reads what the owner wrote, and the owner
// then reads what it wrote back.
TEST_F(SharedMemoryTest, AProgramThatAttachesByNameSharesTheBytes) {
  absl::StatusOr<SharedMemory> owner = SharedMemory::Create(4096);
  ASSERT_THAT(owner, IsOk());
  EXPECT_TRUE(owner->is_owner());
  std::strcpy(static_cast<char*>(owner->data()), "from the owner");

  Process child({.start_method = StartMethod::kSpawn}, ReplaceGreeting, owner->name());
  ASSERT_THAT(child.Start(), IsOk());
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_EQ(child.exit_code(), 0);
  EXPECT_STREQ(static_cast<char*>(owner->data()), "from the child");
}

// Passes when a forked child writes through the mapping it inherited, without a name,
// and cannot unlink the name it does not own.
TEST_F(SharedMemoryTest, AForkedChildSharesTheMappingButNotTheOwnership) {
  absl::StatusOr<SharedMemory> owner = SharedMemory::Create(64);
  ASSERT_THAT(owner, IsOk());
  Process child([&] {
    static_cast<char*>(owner->data())[0] = 'c';
    bool refused = owner->Unlink().code() == absl::StatusCode::kFailedPrecondition;
    return refused && !owner->is_owner() ? 0 : 1;
  });
  ASSERT_THAT(child.Start(), IsOk());
  ASSERT_THAT(child.Join(), IsOk());
  EXPECT_EQ(child.exit_code(), 0);
  EXPECT_EQ(static_cast<char*>(owner->data())[0], 'c');
  EXPECT_TRUE(Exists(owner->name()));
}

// Passes when new segments are zero-filled, unnamed in the file system, and named for
// Attach() by owner, descriptor and 128 random bits.
TEST_F(SharedMemoryTest, NewSegmentsAreZeroFilledUnnamedAndUnguessablyNamed) {
  absl::StatusOr<SharedMemory> first = SharedMemory::Create(8192);
  absl::StatusOr<SharedMemory> second = SharedMemory::Create(8192);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  const char* bytes = static_cast<const char*>(first->data());
  EXPECT_TRUE(std::all_of(bytes, bytes + first->size(), [](char c) { return c == 0; }));

  EXPECT_THAT(first->name(), MatchesRegex("/mp-[0-9]+-[0-9]+-[0-9a-f]{32}"));
  EXPECT_NE(first->name(), second->name());
  EXPECT_TRUE(Exists(first->name()) && Exists(second->name()));
  EXPECT_EQ(OursInDevShm(), std::vector<std::string>{});
}

// Passes when a name whose descriptor or random bits are wrong reaches nothing: the
// descriptor may have been reused for another file, or the pid by another process.
TEST_F(SharedMemoryTest, ANameReachesOnlyItsOwnSegment) {
  absl::StatusOr<SharedMemory> owner = SharedMemory::Create(64);
  ASSERT_THAT(owner, IsOk());
  const std::vector<std::string> parts = absl::StrSplit(owner->name(), '-');
  ASSERT_EQ(parts.size(), 4u);
  const std::string other_descriptor = absl::StrCat(parts[0], "-", parts[1], "-0-", parts[3]);
  std::string other_bits = owner->name();
  other_bits.back() = other_bits.back() == '0' ? '1' : '0';
  const std::string other_pid = absl::StrCat(parts[0], "-", getppid(), "-", parts[2], "-", parts[3]);
  for (const std::string& wrong : {other_descriptor, other_bits, other_pid}) {
    EXPECT_THAT(SharedMemory::Attach(wrong), StatusIs(absl::StatusCode::kNotFound)) << wrong;
  }
}

// Passes when the owner's destruction removes the name while another mapping stays usable.
TEST_F(SharedMemoryTest, TheOwnerUnlinksTheNameAndMappingsOutliveIt) {
  absl::StatusOr<SharedMemory> owner = SharedMemory::Create(100);
  ASSERT_THAT(owner, IsOk());
  const std::string name = owner->name();
  absl::StatusOr<SharedMemory> view = SharedMemory::Attach(name);
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->size(), 100);
  static_cast<char*>(owner->data())[99] = 'z';

  *owner = SharedMemory(std::move(*view));  // destroys the owner's object: unlinks
  EXPECT_FALSE(Exists(name));
  EXPECT_EQ(static_cast<char*>(owner->data())[99], 'z');
  EXPECT_THAT(SharedMemory::Attach(name), StatusIs(absl::StatusCode::kNotFound, HasSubstr(name)));
}

TEST_F(SharedMemoryTest, BadArgumentsAreReportedNotFatal) {
  EXPECT_THAT(SharedMemory::Create(0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedMemory::Attach(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedMemory::Attach("/etc/passwd"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedMemory::Attach("/mp-9/../1-2-0123456789abcdef0123456789abcdef"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // No pid is this large (the kernel's limit is 2^22).
  EXPECT_THAT(SharedMemory::Attach("/mp-999999999-2-0123456789abcdef0123456789abcdef"),
              StatusIs(absl::StatusCode::kNotFound));
}

// Passes when a request larger than /dev/shm can hold fails up front, leaving nothing.
TEST_F(SharedMemoryTest, MoreThanDevShmHoldsIsResourceExhausted) {
  EXPECT_THAT(SharedMemory::Create(size_t{1} << 50),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

// Passes when a segment lives exactly as long as some process holds it, however its
// owner ends: after the owner exits or dies by SIGTERM, SIGINT or SIGKILL, the mapping
// this test made keeps it (nobody new can attach), and once that goes, no process holds
// any memory of the owner's and nothing is left in /dev/shm.
TEST_F(SharedMemoryTest, ASegmentLivesAsLongAsItsLastHolderHoweverTheOwnerEnds) {
  for (int ending : {0, SIGTERM, SIGINT, SIGKILL}) {
    absl::StatusOr<PipeEnds> pipe = Pipe();
    ASSERT_THAT(pipe, IsOk());
    Process owner([&] {
      absl::StatusOr<SharedMemory> segment = SharedMemory::Create(1 << 20);
      if (!segment.ok()) return 1;
      static_cast<char*>(segment->data())[0] = 'o';
      if (!pipe->second.Send(segment->name()).ok()) return 1;
      (void)pipe->second.Recv();  // until told to exit, or killed
      return 0;
    });
    ASSERT_THAT(owner.Start(), IsOk());
    absl::StatusOr<std::string> name = pipe->first.Recv();
    ASSERT_THAT(name, IsOk());
    absl::StatusOr<SharedMemory> view = SharedMemory::Attach(*name);
    ASSERT_THAT(view, IsOk());

    if (ending == 0) {
      ASSERT_THAT(pipe->first.Send("exit"), IsOk());
    } else {
      ASSERT_EQ(kill(*owner.pid(), ending), 0);
    }
    ASSERT_THAT(owner.Join(), IsOk());
    EXPECT_EQ(owner.exit_code(), -ending);
    EXPECT_EQ(static_cast<char*>(view->data())[0], 'o') << "the mapping outlives the owner";
    EXPECT_THAT(SharedMemory::Attach(*name), StatusIs(absl::StatusCode::kNotFound));
    EXPECT_EQ(ProcessesHoldingSegmentsOf(*owner.pid()), std::vector<pid_t>{getpid()});

    *view = SharedMemory(std::move(*SharedMemory::Create(1)));  // drops the last mapping
    EXPECT_EQ(ProcessesHoldingSegmentsOf(*owner.pid()), std::vector<pid_t>{}) << ending;
    EXPECT_EQ(OursInDevShm(), std::vector<std::string>{});
  }
}

}  // namespace
}  // namespace mp
