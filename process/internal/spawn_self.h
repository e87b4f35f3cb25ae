// Starting this same program again, for the spawn start method and the fork server.

#ifndef MP_PROCESS_INTERNAL_SPAWN_SELF_H_
#define MP_PROCESS_INTERNAL_SPAWN_SELF_H_

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"

namespace mp::internal {

// The environment variable that tells a new copy of the program what it is for.
inline constexpr char kRoleVariable[] = "MP_SPAWNED_AS";
inline constexpr char kTaskRole[] = "task";
inline constexpr char kForkServerRole[] = "fork-server";
// The descriptor on which that copy finds its task message or fork-server socket.
inline constexpr int kChannelFd = 3;

// Called by HandOffToLibrary(): main() has handed off, so a copy of this program
// started by SpawnSelf() will find its way back to the library.
void NoteMainHandedOff(const char* argv0);
bool MainHandedOff();

// Starts /proc/self/exe with `role` in kRoleVariable and `channel_fd` as kChannelFd;
// it inherits no other descriptor but stdin, stdout and stderr. FailedPrecondition,
// saying what to add, if main() never called HandOffToLibrary(): without it the copy
// would run main() from the top, and could start copies of its own.
absl::StatusOr<pid_t> SpawnSelf(const char* role, int channel_fd);

}  // namespace mp::internal

#endif  // MP_PROCESS_INTERNAL_SPAWN_SELF_H_
