#include "process/hand_off.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "process/internal/fork_server.h"
#include "process/internal/spawn_self.h"
#include "process/internal/task_message.h"

namespace mp {

void HandOffToLibrary(int argc, char** argv) {
  internal::NoteMainHandedOff(argc > 0 ? argv[0] : nullptr);
  const char* role_value = std::getenv(internal::kRoleVariable);
  if (role_value == nullptr) return;  // the program the user ran
  const std::string role = role_value;
  // Programs this copy runs in turn must not mistake themselves for spawned copies.
  ::unsetenv(internal::kRoleVariable);
  if (role == internal::kTaskRole) {
    // 0: watch the parent named in the message (if it has already died, getppid()
    // would name whoever adopted us instead).
    internal::RunTaskMessageAndExit(internal::kChannelFd, 0);
  }
  if (role == internal::kForkServerRole) internal::ServeForksAndExit(internal::kChannelFd);
  std::fprintf(stderr, "mp: %s=%s is not a role this library knows\n",
               internal::kRoleVariable, role.c_str());
  ::_exit(2);
}

}  // namespace mp
