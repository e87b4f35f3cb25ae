// A program that forgets mp::HandOffToLibrary() in main() and then starts a process with
// spawn: the test of claim 6 runs it and expects the library's refusal, not a fork bomb.

#include <cstdio>

#include "absl/status/status.h"
#include "process/process.h"

namespace {
int Nothing() { return 0; }
MP_REGISTER_TASK(Nothing);
}  // namespace

int main() {
  mp::Process child({.start_method = mp::StartMethod::kSpawn}, Nothing);
  const absl::Status started = child.Start();
  std::printf("%s\n", started.ToString().c_str());
  return started.ok() ? 0 : 1;
}
