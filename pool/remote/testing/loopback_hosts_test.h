// LoopbackHostsTest: a fixture for tests that start worker hosts on loopback
// (loopback_host.h). After each test it stops every host it still holds in order
// (stdin closed) and fails the test unless each exited with code 0, and unless no host
// process and no shared-memory segment of ours is left behind (by ipc_leak_check.h's
// rule). Descriptors are not checked: gRPC keeps some of its own open across channels.
//
//   class MyTest : public mp::remote::test::LoopbackHostsTest {
//    protected:
//     MyTest() : LoopbackHostsTest("pool/remote/worker") {}
//   };
//   TEST_F(MyTest, ...) { auto pool = mp::RemotePool::Create({.hosts = StartHosts(3)}); }
//
// A test that kills a host itself takes it out of hosts_ first.

#ifndef MP_POOL_REMOTE_TESTING_LOOPBACK_HOSTS_TEST_H_
#define MP_POOL_REMOTE_TESTING_LOOPBACK_HOSTS_TEST_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "pool/remote/loopback_host.h"

namespace mp::remote::test {

class LoopbackHostsTest : public ::testing::Test {
 protected:
  // `program`: the host binary StartHost() starts, as a path in the repository.
  explicit LoopbackHostsTest(std::string program) : program_(std::move(program)) {}

  // gRPC's background threads otherwise come and go with channels (ThreadSanitizer
  // reports the ones it stops without joining): keep the library initialized.
  static void SetUpTestSuite();
  void SetUp() override;
  void TearDown() override;

  // Starts a host of `program` (default: the fixture's) with 2 workers and `flags`;
  // returns its address, or "" after failing the test.
  std::string StartHost(std::vector<std::string> flags = {});
  std::string StartHostOf(const std::string& program, std::vector<std::string> flags = {});
  std::vector<std::string> StartHosts(int count, const std::vector<std::string>& flags = {});

  static constexpr absl::Duration kGenerous = absl::Seconds(60);

  std::vector<LoopbackHost> hosts_;

 private:
  std::string program_;
  std::set<std::string> segments_before_;
};

}  // namespace mp::remote::test

#endif  // MP_POOL_REMOTE_TESTING_LOOPBACK_HOSTS_TEST_H_
