#include "ipc/shared_memory.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/pipe.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"
#include "process/task_registry.h"
#include "process/testing/status_matchers.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::StatusIs;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class SharedMemoryTest : public test::IpcLeakCheckedTest {};

bool Exists(const std::string& segment_name) {
  absl::StatusOr<std::vector<std::string>> names = ListOurSharedMemory();
  return names.ok() && std::count(names->begin(), names->end(), segment_name) > 0;
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

// Run in a spawned child: a fresh program, whose first Create() cleans up.
int CreateOneSegment() { return SharedMemory::Create(16).ok() ? 0 : 1; }
MP_REGISTER_TASK(CreateOneSegment);

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
  EXPECT_TRUE(Exists(owner->name().substr(1)));
}

TEST_F(SharedMemoryTest, NewSegmentsAreZeroFilledPrivateAndUnguessablyNamed) {
  absl::StatusOr<SharedMemory> first = SharedMemory::Create(8192);
  absl::StatusOr<SharedMemory> second = SharedMemory::Create(8192);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  const char* bytes = static_cast<const char*>(first->data());
  EXPECT_TRUE(std::all_of(bytes, bytes + first->size(), [](char c) { return c == 0; }));

  EXPECT_THAT(first->name(), MatchesRegex("/mp-[0-9]+-[0-9]+-[0-9a-f]{32}"));
  EXPECT_NE(first->name(), second->name());
  struct stat info;
  ASSERT_EQ(stat(("/dev/shm" + first->name()).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
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
  EXPECT_FALSE(Exists(name.substr(1)));
  EXPECT_EQ(static_cast<char*>(owner->data())[99], 'z');
  EXPECT_THAT(SharedMemory::Attach(name), StatusIs(absl::StatusCode::kNotFound, HasSubstr(name)));
}

TEST_F(SharedMemoryTest, BadArgumentsAreReportedNotFatal) {
  EXPECT_THAT(SharedMemory::Create(0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedMemory::Attach(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedMemory::Attach("/etc/passwd"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedMemory::Attach("/mp-1-2-0123456789abcdef0123456789abcdef"),
              StatusIs(absl::StatusCode::kNotFound));
}

// Passes when a request larger than /dev/shm can hold fails up front, leaving nothing.
TEST_F(SharedMemoryTest, MoreThanDevShmHoldsIsResourceExhausted) {
  EXPECT_THAT(SharedMemory::Create(size_t{1} << 50),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

// Passes when a segment whose owner was SIGKILLed is found abandoned and removed, both
// by a cleanup call and by the first Create() of the next program.
TEST_F(SharedMemoryTest, SegmentsOfAKilledOwnerAreCleanedUp) {
  for (bool by_next_program : {false, true}) {
    absl::StatusOr<PipeEnds> pipe = Pipe();
    ASSERT_THAT(pipe, IsOk());
    Process owner([&] {
      absl::StatusOr<SharedMemory> segment = SharedMemory::Create(4096);
      if (!segment.ok() || !pipe->second.Send(segment->name().substr(1)).ok()) return 1;
      (void)pipe->second.Recv();  // waits here until killed
      return 0;
    });
    ASSERT_THAT(owner.Start(), IsOk());
    absl::StatusOr<std::string> name = pipe->first.Recv();
    ASSERT_THAT(name, IsOk());
    EXPECT_TRUE(OwnerIsAlive(*name));

    ASSERT_THAT(owner.Kill(), IsOk());
    ASSERT_THAT(owner.Join(), IsOk());
    EXPECT_EQ(owner.exit_code(), -SIGKILL);
    EXPECT_FALSE(OwnerIsAlive(*name));
    if (by_next_program) {
      Process next({.start_method = StartMethod::kSpawn}, CreateOneSegment);
      ASSERT_THAT(next.Start(), IsOk());
      ASSERT_THAT(next.Join(), IsOk());
      EXPECT_EQ(next.exit_code(), 0);
    } else {
      EXPECT_THAT(CleanUpAbandonedSharedMemory(), IsOk());
    }
    EXPECT_FALSE(Exists(*name)) << (by_next_program ? "next program" : "cleanup call");
  }
}

}  // namespace
}  // namespace mp
