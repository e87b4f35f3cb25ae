#include "ipc/barrier.h"

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "ipc/shared_memory.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/process.h"

namespace mp {
namespace {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;
using ::mp::test::StatusIs;

constexpr absl::Duration kGenerous = absl::Seconds(60);

class BarrierTest : public test::IpcLeakCheckedTest {};

// Passes when, in each of 3 rounds, 4 processes get the arrival indexes 0..3 once each,
// and nobody leaves a round before all have arrived.
TEST_F(BarrierTest, EveryRoundLetsAllPartiesGoWithDistinctIndexes) {
  constexpr int kParties = 4;
  constexpr int kRounds = 3;
  absl::StatusOr<Barrier> barrier = Barrier::Create(kParties);
  absl::StatusOr<SharedMemory> memory = SharedMemory::Create(sizeof(std::atomic<uint32_t>) * 2 * kRounds);
  ASSERT_THAT(barrier, IsOk());
  ASSERT_THAT(memory, IsOk());
  // Per round: a bit per arrival index, and how many had arrived when each one left.
  auto* indexes_seen = static_cast<std::atomic<uint32_t>*>(memory->data());
  auto* arrived = indexes_seen + kRounds;

  std::vector<Process> parties;
  for (int p = 0; p < kParties; ++p) {
    parties.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        arrived[round].fetch_add(1);
        absl::StatusOr<int> index = barrier->Wait(kGenerous);
        if (!index.ok()) return 1;
        if (arrived[round].load() != kParties) return 2;  // left before the others came
        indexes_seen[round].fetch_or(1u << *index);
      }
      return 0;
    });
    ASSERT_THAT(parties.back().Start(), IsOk());
  }
  for (Process& party : parties) {
    ASSERT_THAT(party.Join(kGenerous), IsOk());
    EXPECT_EQ(party.exit_code(), 0);
  }
  for (int round = 0; round < kRounds; ++round) EXPECT_EQ(indexes_seen[round].load(), 0b1111u);
}

// Waits until `barrier` has `count` processes waiting (a condition, with a deadline).
bool UntilWaiting(const Barrier& barrier, int count) {
  const absl::Time deadline = absl::Now() + kGenerous;
  while (absl::Now() < deadline) {
    absl::StatusOr<int> waiting = barrier.n_waiting();
    if (!waiting.ok()) return false;
    if (*waiting == count) return true;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return false;
}

// Passes when n_waiting() counts the processes waiting in the current round, and drops to
// 0 when the last party arrives (Python's Barrier.n_waiting).
TEST_F(BarrierTest, NWaitingCountsTheProcessesWaitingInThisRound) {
  absl::StatusOr<Barrier> barrier = Barrier::Create(3);
  ASSERT_THAT(barrier, IsOk());
  EXPECT_THAT(barrier->n_waiting(), IsOkAndHolds(0));
  std::vector<Process> waiters;
  for (int expected = 1; expected <= 2; ++expected) {
    waiters.emplace_back([&] { return barrier->Wait(kGenerous).ok() ? 0 : 1; });
    ASSERT_THAT(waiters.back().Start(), IsOk());
    EXPECT_TRUE(UntilWaiting(*barrier, expected)) << expected << " waiting";
  }
  ASSERT_THAT(barrier->Wait(kGenerous), IsOk());  // the third: the round completes
  EXPECT_THAT(barrier->n_waiting(), IsOkAndHolds(0));
  for (Process& waiter : waiters) {
    ASSERT_THAT(waiter.Join(kGenerous), IsOk());
    EXPECT_EQ(waiter.exit_code(), 0);
  }
}

// Passes when a timed-out Wait() breaks the barrier for everyone until Reset().
TEST_F(BarrierTest, ATimeoutBreaksTheBarrierUntilReset) {
  absl::StatusOr<Barrier> barrier = Barrier::Create(2);
  ASSERT_THAT(barrier, IsOk());
  EXPECT_THAT(barrier->Wait(absl::Milliseconds(1)), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_TRUE(barrier->broken());
  EXPECT_THAT(barrier->Wait(kGenerous), StatusIs(absl::StatusCode::kFailedPrecondition));

  barrier->Reset();
  EXPECT_FALSE(barrier->broken());
  Process partner([&] { return barrier->Wait(kGenerous).ok() ? 0 : 1; });
  ASSERT_THAT(partner.Start(), IsOk());
  EXPECT_THAT(barrier->Wait(kGenerous), IsOk());
  ASSERT_THAT(partner.Join(kGenerous), IsOk());
  EXPECT_EQ(partner.exit_code(), 0);
}

// Passes when Abort() in one process fails a Wait() blocked in another, and a process
// killed while waiting does not stop Abort() from reaching the rest.
TEST_F(BarrierTest, AbortFailsTheProcessesWaiting) {
  absl::StatusOr<Barrier> barrier = Barrier::Create(3);
  ASSERT_THAT(barrier, IsOk());
  Process doomed([&] { return barrier->Wait().ok() ? 0 : 1; });
  ASSERT_THAT(doomed.Start(), IsOk());
  Process waiter([&] {
    return barrier->Wait(kGenerous).status().code() == absl::StatusCode::kFailedPrecondition ? 0
                                                                                               : 1;
  });
  ASSERT_THAT(waiter.Start(), IsOk());
  ASSERT_THAT(doomed.Kill(), IsOk());
  ASSERT_THAT(doomed.Join(kGenerous), IsOk());
  barrier->Abort();
  ASSERT_THAT(waiter.Join(kGenerous), IsOk());
  EXPECT_EQ(waiter.exit_code(), 0);
}

// Passes when the action runs once a round, in the last process to arrive, before any
// party goes on: every party sees the round's action done when its Wait() returns.
TEST_F(BarrierTest, TheActionRunsOnceARoundBeforeAnyPartyGoesOn) {
  constexpr int kParties = 3;
  constexpr int kRounds = 2;
  absl::StatusOr<SharedMemory> memory = SharedMemory::Create(sizeof(std::atomic<uint32_t>));
  ASSERT_THAT(memory, IsOk());
  auto* actions = static_cast<std::atomic<uint32_t>*>(memory->data());
  absl::StatusOr<Barrier> barrier = Barrier::Create(kParties, [actions] {
    actions->fetch_add(1);
    return absl::OkStatus();
  });
  ASSERT_THAT(barrier, IsOk());
  std::vector<Process> parties;
  for (int p = 0; p < kParties; ++p) {
    parties.emplace_back([&] {
      for (uint32_t round = 1; round <= kRounds; ++round) {
        if (!barrier->Wait(kGenerous).ok()) return 1;
        if (actions->load() < round) return 2;  // went on before the action had run
      }
      return 0;
    });
    ASSERT_THAT(parties.back().Start(), IsOk());
  }
  for (Process& party : parties) {
    ASSERT_THAT(party.Join(kGenerous), IsOk());
    EXPECT_EQ(party.exit_code(), 0);
  }
  EXPECT_EQ(actions->load(), static_cast<uint32_t>(kRounds)) << "once a round, not once a party";
}

// Passes when an action that fails breaks the barrier: its error goes to the process that
// ran it, FailedPrecondition to the other, and to any later Wait() until Reset().
TEST_F(BarrierTest, AFailingActionBreaksTheBarrier) {
  absl::StatusOr<Barrier> barrier =
      Barrier::Create(2, [] { return absl::InternalError("the round's data is bad"); });
  ASSERT_THAT(barrier, IsOk());
  Process partner([&] {
    const absl::StatusCode code = barrier->Wait(kGenerous).status().code();
    return code == absl::StatusCode::kInternal ? 10
           : code == absl::StatusCode::kFailedPrecondition ? 20 : 1;
  });
  ASSERT_THAT(partner.Start(), IsOk());
  const absl::StatusCode mine = barrier->Wait(kGenerous).status().code();
  ASSERT_THAT(partner.Join(kGenerous), IsOk());
  const int theirs = partner.exit_code().value_or(1);
  EXPECT_TRUE((mine == absl::StatusCode::kInternal && theirs == 20) ||
              (mine == absl::StatusCode::kFailedPrecondition && theirs == 10))
      << "mine: " << absl::StatusCodeToString(mine) << ", the partner's exit code: " << theirs;
  ASSERT_TRUE(barrier->broken());  // (else the Wait() below would wait for a partner)
  EXPECT_THAT(barrier->Wait(kGenerous), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Passes when a process that dies inside the action (holding the barrier's lock, the
// round full) breaks the barrier for the next process to take the lock, which wakes the
// party still waiting in that round.
TEST_F(BarrierTest, AProcessThatDiesInTheActionBreaksTheBarrier) {
  absl::StatusOr<Barrier> barrier = Barrier::Create(2);
  ASSERT_THAT(barrier, IsOk());
  Process first([&] {
    return barrier->Wait(kGenerous).status().code() == absl::StatusCode::kFailedPrecondition ? 0
                                                                                               : 1;
  });
  ASSERT_THAT(first.Start(), IsOk());
  ASSERT_TRUE(UntilWaiting(*barrier, 1));
  Process dies_in_action([&] {
    absl::StatusOr<Barrier> mine = Barrier::Attach(barrier->name(), []() -> absl::Status { _exit(3); });
    return mine.ok() && mine->Wait(kGenerous).ok() ? 0 : 1;
  });
  ASSERT_THAT(dies_in_action.Start(), IsOk());
  ASSERT_THAT(dies_in_action.Join(kGenerous), IsOk());
  EXPECT_EQ(dies_in_action.exit_code(), 3);
  EXPECT_THAT(barrier->Wait(kGenerous), StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_THAT(first.Join(kGenerous), IsOk());
  EXPECT_EQ(first.exit_code(), 0) << "the party waiting in the round was not released broken";
  barrier->Reset();
  EXPECT_FALSE(barrier->broken());
}

TEST_F(BarrierTest, BadArgumentsAreInvalidArgument) {
  EXPECT_THAT(Barrier::Create(0), StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<Barrier> barrier = Barrier::Create(1);
  ASSERT_THAT(barrier, IsOk());
  EXPECT_THAT(barrier->Wait(), IsOk());  // one party: never waits
  EXPECT_THAT(barrier->Wait(absl::Seconds(-1)), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mp
