#include "ipc/shared_value.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/lock.h"
#include "ipc/shared_array.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"
#include "process/task_registry.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;
using ::testing::ElementsAre;

constexpr absl::Duration kGenerous = absl::Seconds(60);

class SharedValueTest : public test::IpcLeakCheckedTest {};

// Passes when 4 processes x 10k Update()s leave exactly 40k: no update is lost.
TEST_F(SharedValueTest, UpdatesFromManyProcessesAreNeverLost) {
  absl::StatusOr<SharedValue<int64_t>> hits = SharedValue<int64_t>::Create(0);
  ASSERT_THAT(hits, IsOk());
  std::vector<Process> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      for (int n = 0; n < 10'000; ++n) {
        if (!hits->Update([](int64_t& value) { ++value; }).ok()) return 1;
      }
      return 0;
    });
    ASSERT_THAT(workers.back().Start(), IsOk());
  }
  for (Process& worker : workers) {
    ASSERT_THAT(worker.Join(kGenerous), IsOk());
    EXPECT_EQ(worker.exit_code(), 0);
  }
  EXPECT_THAT(hits->Load(), IsOkAndHolds(40'000));
}

struct Point {
  int32_t x = 0;
  int32_t y = 0;
};

// Passes when values written by a forked child are what the parent reads, locked or raw.
TEST_F(SharedValueTest, AChildsWritesAreSeenByItsParent) {
  absl::StatusOr<SharedValue<Point>> locked = SharedValue<Point>::Create({.x = 1, .y = 2});
  absl::StatusOr<RawSharedValue<double>> raw = RawSharedValue<double>::Create(0.5);
  ASSERT_THAT(locked, IsOk());
  ASSERT_THAT(raw, IsOk());
  EXPECT_EQ(**raw, 0.5);
  Process child([&] {
    **raw = 2.5;
    return locked->Store({.x = 3, .y = 4}).ok() ? 0 : 1;
  });
  ASSERT_THAT(child.Start(), IsOk());
  ASSERT_THAT(child.Join(kGenerous), IsOk());
  EXPECT_EQ(child.exit_code(), 0);
  EXPECT_EQ(**raw, 2.5);
  absl::StatusOr<Point> point = locked->Load();
  ASSERT_THAT(point, IsOk());
  EXPECT_EQ(point->x, 3);
  EXPECT_EQ(point->y, 4);
}

// Run in a spawned child: fills its slot of an array it knows by name.
int FillSlot(std::string name, int slot) {
  absl::StatusOr<SharedArray<double>> array = SharedArray<double>::Attach(name);
  if (!array.ok()) return 1;
  return array->Update([&](std::span<double> all) { all[slot] = slot * 1.5; }).ok() ? 0 : 2;
}
MP_REGISTER_TASK(FillSlot);

// Passes when spawned programs each fill their slot of an array attached by name.
TEST_F(SharedValueTest, ProgramsFillTheirSlotsOfAnArrayAttachedByName) {
  absl::StatusOr<SharedArray<double>> array = SharedArray<double>::Create(3);
  ASSERT_THAT(array, IsOk());
  EXPECT_THAT(array->Load(), IsOkAndHolds(ElementsAre(0.0, 0.0, 0.0)));
  std::vector<Process> fillers;
  for (int slot = 1; slot < 3; ++slot) {
    fillers.emplace_back(ProcessOptions{.start_method = StartMethod::kSpawn}, FillSlot,
                         array->name(), slot);
    ASSERT_THAT(fillers.back().Start(), IsOk());
  }
  for (Process& filler : fillers) {
    ASSERT_THAT(filler.Join(kGenerous), IsOk());
    EXPECT_EQ(filler.exit_code(), 0);
  }
  EXPECT_THAT(array->Load(), IsOkAndHolds(ElementsAre(0.0, 1.5, 3.0)));
}

TEST_F(SharedValueTest, AcquireGivesLongerCriticalSectionsOverTheElements) {
  absl::StatusOr<SharedArray<int>> array = SharedArray<int>::Create(2);
  ASSERT_THAT(array, IsOk());
  {
    absl::StatusOr<LockGuard> held = array->Acquire();
    ASSERT_THAT(held, IsOk());
    array->unsynchronized()[0] = 10;
    array->unsynchronized()[1] = array->unsynchronized()[0] + 1;
    EXPECT_THAT(array->Load(), StatusIs(absl::StatusCode::kFailedPrecondition));  // held by us
  }
  EXPECT_THAT(array->Load(), IsOkAndHolds(ElementsAre(10, 11)));
}

// Passes when two values given one Lock share it (Python's Value(..., lock=some_lock)):
// holding one's lock holds the other's, so a transfer between them is one critical
// section, and updates from many processes through both still add up.
TEST_F(SharedValueTest, ValuesGivenOneLockShareIt) {
  absl::StatusOr<Lock> created = Lock::Create();
  ASSERT_THAT(created, IsOk());
  auto lock = std::make_shared<Lock>(*std::move(created));
  absl::StatusOr<SharedValue<int64_t>> from = SharedValue<int64_t>::Create(100, lock);
  absl::StatusOr<SharedValue<int64_t>> to = SharedValue<int64_t>::Create(0, lock);
  ASSERT_THAT(from, IsOk());
  ASSERT_THAT(to, IsOk());
  {
    absl::StatusOr<LockGuard> held = from->Acquire();
    ASSERT_THAT(held, IsOk());
    EXPECT_TRUE(lock->locked());
    EXPECT_THAT(to->Acquire(absl::ZeroDuration()), StatusIs(absl::StatusCode::kFailedPrecondition))
        << "this thread holds the shared lock already";
  }
  std::vector<Process> movers;
  for (int p = 0; p < 4; ++p) {
    movers.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        absl::StatusOr<LockGuard> held = from->Acquire();
        if (!held.ok()) return 1;
        --from->unsynchronized();  // both under the one lock
        ++to->unsynchronized();
      }
      return 0;
    });
    ASSERT_THAT(movers.back().Start(), IsOk());
  }
  for (Process& mover : movers) {
    ASSERT_THAT(mover.Join(), IsOk());
    EXPECT_EQ(mover.exit_code(), 0);
  }
  EXPECT_THAT(from->Load(), IsOkAndHolds(0));
  EXPECT_THAT(to->Load(), IsOkAndHolds(100));
}

TEST_F(SharedValueTest, MismatchesAreInvalidArgument) {
  EXPECT_THAT(SharedArray<int>::Create(0), StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<SharedArray<int>> ints = SharedArray<int>::Create(4);
  absl::StatusOr<RawSharedArray<int>> raw = RawSharedArray<int>::Create(4);
  ASSERT_THAT(ints, IsOk());
  ASSERT_THAT(raw, IsOk());
  const std::vector<int> three = {1, 2, 3};
  EXPECT_THAT(ints->Store(three), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedArray<double>::Attach(ints->name()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedArray<int>::Attach(raw->name()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedValue<int>::Attach(ints->name()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(SharedArray<int>::Attach(ints->name()), IsOk());
}

}  // namespace
}  // namespace mp
