#include "pool/remote/testing/loopback_hosts_test.h"

#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "base/testing/status_matchers.h"
#include "grpc/grpc.h"
#include "ipc/testing/ipc_leak_check.h"
#include "process/testing/leak_check.h"
#include "process/testing/spawned_program.h"

namespace mp::remote::test {

using ::mp::test::IsOk;
using ::mp::test::IsOkAndHolds;

void LoopbackHostsTest::SetUpTestSuite() { grpc_init(); }

void LoopbackHostsTest::SetUp() { segments_before_ = mp::test::OurSegments(); }

void LoopbackHostsTest::TearDown() {
  for (LoopbackHost& host : hosts_) {
    host.program->CloseStdin();
    EXPECT_THAT(host.program->Wait(kGenerous), IsOkAndHolds(0)) << host.address;
  }
  hosts_.clear();
  EXPECT_TRUE(mp::test::ChildrenOf(getpid()).empty()) << "a host process was left behind";
  EXPECT_EQ(mp::test::SegmentsLeftBehind(segments_before_), std::vector<std::string>{})
      << "shared memory left behind";
}

std::string LoopbackHostsTest::StartHost(std::vector<std::string> flags) {
  return StartHostOf(program_, std::move(flags));
}

std::string LoopbackHostsTest::StartHostOf(const std::string& program,
                                           std::vector<std::string> flags) {
  flags.insert(flags.begin(), "--workers=2");
  absl::StatusOr<LoopbackHost> host = StartLoopbackHost(mp::test::Runfile(program), flags);
  EXPECT_THAT(host, IsOk()) << program;
  if (!host.ok()) return "";
  hosts_.push_back(*std::move(host));
  return hosts_.back().address;
}

std::vector<std::string> LoopbackHostsTest::StartHosts(int count,
                                                       const std::vector<std::string>& flags) {
  std::vector<std::string> addresses;
  for (int i = 0; i < count; ++i) addresses.push_back(StartHost(flags));
  return addresses;
}

}  // namespace mp::remote::test
