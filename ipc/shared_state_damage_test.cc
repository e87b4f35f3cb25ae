// What every structure in shared memory does when another process writes over its
// state (byte_queue_damage_test covers the queue): it keeps the sizes it was made with,
// refuses to attach to impossible ones, and says DataLoss instead of crashing or hanging.

#include <cstdint>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipc/barrier.h"
#include "ipc/event.h"
#include "ipc/internal/shared_state.h"
#include "ipc/shared_array.h"
#include "ipc/testing/ipc_leak_check.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;

class SharedStateDamageTest : public test::IpcLeakCheckedTest {};

TEST_F(SharedStateDamageTest, AnArrayKeepsItsLengthAndRefusesAnImpossibleOne) {
  absl::StatusOr<SharedArray<int64_t>> array = SharedArray<int64_t>::Create(4);
  ASSERT_THAT(array, IsOk());
  {
    // Another mapping, as another process has, writes a huge length.
    auto view = internal::SharedState<internal::SharedArrayState>::Attach(array->name());
    ASSERT_THAT(view, IsOk());
    (*view)->length = uint64_t{1} << 61;  // times 8 bytes wraps around to 0
  }
  EXPECT_EQ(array->size(), 4u);
  EXPECT_THAT(array->Load(), IsOkAndHolds(std::vector<int64_t>(4, 0)));
  EXPECT_THAT(SharedArray<int64_t>::Attach(array->name()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SharedStateDamageTest, ABarrierWithDamagedCountsSaysDataLossAndWakesItsWaiters) {
  absl::StatusOr<Barrier> barrier = Barrier::Create(3);
  ASSERT_THAT(barrier, IsOk());
  // One party waits; then the count of arrivals is written over.
  std::thread waiter([&] {
    EXPECT_THAT(barrier->Wait(), StatusIs(absl::StatusCode::kFailedPrecondition));
  });
  auto view = internal::SharedState<Barrier::State>::Attach(barrier->name());
  ASSERT_THAT(view, IsOk());
  // Written under the lock, once the waiter has arrived, as a wild write may land at
  // any time; the lock only makes this test's timing certain.
  while (true) {
    ASSERT_THAT((*view)->mutex.Lock(absl::InfiniteFuture()), IsOk());
    (*view)->mutex.AssertHeld();
    const bool arrived = (*view)->arrived == 1;
    if (arrived) (*view)->arrived = 1000;
    (void)(*view)->mutex.Unlock();
    if (arrived) break;
    std::this_thread::yield();
  }
  EXPECT_THAT(barrier->n_waiting(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(barrier->Wait(), StatusIs(absl::StatusCode::kDataLoss));
  waiter.join();  // woken: the barrier broke, rather than waiting for 1,003 arrivals
}

TEST_F(SharedStateDamageTest, AnEventWhoseFlagIsWrittenOverSaysDataLoss) {
  absl::StatusOr<Event> event = Event::Create();
  ASSERT_THAT(event, IsOk());
  {
    auto view = internal::SharedState<Event::State>::Attach(event->name());
    ASSERT_THAT(view, IsOk());
    (*view)->flag.store(7);
  }
  EXPECT_THAT(event->Wait(), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace mp
