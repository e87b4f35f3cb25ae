#include "process/cpu_count.h"

#include <sched.h>
#include <unistd.h>

#include <vector>

#include "gtest/gtest.h"

namespace {

// The CPUs the calling thread may run on now.
std::vector<int> AllowedCpus() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  EXPECT_EQ(sched_getaffinity(0, sizeof(mask), &mask), 0);
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &mask)) cpus.push_back(cpu);
  }
  return cpus;
}

// Restricts the calling thread to `cpus` for the life of the object.
class ScopedAffinity {
 public:
  explicit ScopedAffinity(const std::vector<int>& cpus) {
    CPU_ZERO(&saved_);
    EXPECT_EQ(sched_getaffinity(0, sizeof(saved_), &saved_), 0);
    cpu_set_t mask;
    CPU_ZERO(&mask);
    for (int cpu : cpus) CPU_SET(cpu, &mask);
    EXPECT_EQ(sched_setaffinity(0, sizeof(mask), &mask), 0);
  }
  ~ScopedAffinity() { sched_setaffinity(0, sizeof(saved_), &saved_); }

 private:
  cpu_set_t saved_;
};

// Passes when CpuCount() equals the size of the affinity mask we started with.
TEST(CpuCountTest, CountsTheCpusInTheAffinityMask) {
  EXPECT_EQ(mp::CpuCount(), static_cast<int>(AllowedCpus().size()));
}

// Passes when narrowing the mask to one CPU makes CpuCount() say 1, whatever the
// machine has online: the count follows affinity, not the hardware.
TEST(CpuCountTest, FollowsAnAffinityMaskNarrowedToOneCpu) {
  const std::vector<int> allowed = AllowedCpus();
  ASSERT_FALSE(allowed.empty());
  ScopedAffinity one_cpu({allowed.front()});
  EXPECT_EQ(mp::CpuCount(), 1);
}

// Passes when a mask of two CPUs gives 2; skipped where only one CPU is allowed.
TEST(CpuCountTest, FollowsAnAffinityMaskOfTwoCpus) {
  const std::vector<int> allowed = AllowedCpus();
  if (allowed.size() < 2) GTEST_SKIP() << "only one CPU is allowed here";
  ScopedAffinity two_cpus({allowed[0], allowed[1]});
  EXPECT_EQ(mp::CpuCount(), 2);
}

// Passes when the count never exceeds the CPUs the machine has.
TEST(CpuCountTest, NeverExceedsTheConfiguredCpus) {
  EXPECT_GE(mp::CpuCount(), 1);
  EXPECT_LE(mp::CpuCount(), sysconf(_SC_NPROCESSORS_CONF));
}

}  // namespace
